package incident

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestKindsAndLabels(t *testing.T) {
	want := []Kind{"lost_laptop", "lost_backup", "break_in", "ransomware", "disclosure", "other"}
	got := Kinds()
	if len(got) != len(want) {
		t.Fatalf("Kinds() = %v", got)
	}
	labels := map[string]bool{}
	for i, k := range got {
		if k != want[i] || !k.Valid() {
			t.Errorf("kind %d = %q, want %q", i, k, want[i])
		}
		l := k.Label()
		if l == "" || labels[l] || strings.HasPrefix(l, "Unknown") {
			t.Errorf("%s: label %q empty, repeated or unknown", k, l)
		}
		labels[l] = true
	}
	if Kind("flood").Valid() || !strings.Contains(Kind("flood").Label(), "flood") {
		t.Errorf("an unknown kind is valid or its label hides it: %q", Kind("flood").Label())
	}
	got[0] = "changed" // a copy
	if Kinds()[0] != LostLaptop {
		t.Error("Kinds returns the package's own slice")
	}
}

func TestParseKind(t *testing.T) {
	for in, want := range map[string]Kind{"lost_laptop": LostLaptop, "Lost-Backup": LostBackup, " ransomware ": Ransomware, "DISCLOSURE": Disclosure} {
		if k, err := ParseKind(in); err != nil || k != want {
			t.Errorf("ParseKind(%q) = %q, %v; want %q", in, k, err, want)
		}
	}
	for _, in := range []string{"", "flood", "lost laptop"} {
		_, err := ParseKind(in)
		if !errors.Is(err, ErrUnknownKind) || !strings.Contains(err.Error(), "lost-laptop (laptop lost or stolen)") {
			t.Errorf("ParseKind(%q) = %v; want ErrUnknownKind listing the kinds", in, err)
		}
	}
}

// Every kind has a checklist of real steps: distinct keys that a command
// line can type, text and a reason each, ending with the record.
func TestChecklists(t *testing.T) {
	for _, k := range Kinds() {
		c := Checklist(k)
		if len(c) < 5 {
			t.Errorf("%s: only %d steps", k, len(c))
		}
		keys := map[string]bool{}
		texts := map[string]bool{}
		for _, s := range c {
			if s.Key == "" || strings.Trim(s.Key, "abcdefghijklmnopqrstuvwxyz_") != "" {
				t.Errorf("%s: key %q is not lower-case words joined by _", k, s.Key)
			}
			if keys[s.Key] || texts[s.Text] {
				t.Errorf("%s: step %q repeated", k, s.Key)
			}
			keys[s.Key], texts[s.Text] = true, true
			for _, w := range []string{s.Text, s.Why} {
				if len(w) < 20 || !strings.HasSuffix(w, ".") || w != strings.TrimSpace(w) || strings.ToUpper(w[:1]) != w[:1] {
					t.Errorf("%s/%s: %q is not a sentence", k, s.Key, w)
				}
			}
			if f, err := FindStep(k, strings.ReplaceAll(strings.ToUpper(s.Key), "_", "-")); err != nil || f != s {
				t.Errorf("FindStep(%s, %s) = %v, %v", k, s.Key, f, err)
			}
		}
		if c[len(c)-1].Key != "record" {
			t.Errorf("%s: the last step is %q, not the record", k, c[len(c)-1].Key)
		}
		if k != Disclosure && !keys["clients"] || !keys["insurer"] || !keys["notify"] {
			t.Errorf("%s: no step to decide who to tell, to tell the insurer or to notify", k)
		}
		c[0].Key = "changed"
		if Checklist(k)[0].Key == "changed" {
			t.Errorf("%s: Checklist returns the package's own slice", k)
		}
	}
	if Checklist("flood") != nil {
		t.Error("an unknown kind has a checklist")
	}
	_, err := FindStep(LostLaptop, "pray")
	if !errors.Is(err, ErrUnknownStep) || !strings.Contains(err.Error(), "last-seen, police") {
		t.Errorf("FindStep(unknown) = %v", err)
	}
}

// The advice the issue asks for is there, in the order a careful lawyer
// would take it.
func TestChecklistAdvice(t *testing.T) {
	order := func(k Kind, keys ...string) {
		t.Helper()
		pos := map[string]int{}
		for i, s := range Checklist(k) {
			pos[s.Key] = i + 1
		}
		for i, key := range keys {
			if pos[key] == 0 {
				t.Errorf("%s: no step %q", k, key)
			} else if i > 0 && pos[key] < pos[keys[i-1]] {
				t.Errorf("%s: %q comes before %q", k, key, keys[i-1])
			}
		}
	}
	order(LostLaptop, "last_seen", "police", "protection", "restore", "passphrase", "vault_key", "audit", "clients", "insurer", "record")
	order(LostBackup, "which_clients", "protection", "new_backup", "drill", "clients", "notify")
	order(Ransomware, "disconnect", "no_payment", "clean_computer", "restore", "drill")
	order(Disclosure, "what_sent", "recall", "ask_delete", "reply", "clients", "notify")
	order(BreakIn, "isolate", "expert", "audit_check", "passphrase")
	has := func(k Kind, key, words string) {
		t.Helper()
		s, err := FindStep(k, key)
		if err != nil || !strings.Contains(s.Text+" "+s.Why, words) {
			t.Errorf("%s/%s does not say %q: %+v", k, key, words, s)
		}
	}
	has(LostLaptop, "clients", "ABA Formal Opinion 483")
	has(LostLaptop, "restore", "casevault restore --repo")
	has(LostLaptop, "vault_key", "casevault key change")
	has(LostLaptop, "passphrase", "casevault passwd")
	has(LostBackup, "keys", "Nothing changes the lost drive")
	has(Ransomware, "restore", "not connected")
	has(Disclosure, "ask_delete", "confirm in writing")
}

func TestLetter(t *testing.T) {
	at := time.Date(2026, 11, 20, 15, 0, 0, 0, time.Local)
	for _, k := range Kinds() {
		l := NewLetter(LetterInput{Kind: k, ClientID: 7, Client: "Ann Lee", HappenedAt: at, Signer: "Jane Roe", Encrypted: k == LostBackup})
		txt := l.Text()
		for _, w := range []string{"Dear Ann Lee,", "2026-11-20", "The information involved was [FILL IN: ", "please contact me at [FILL IN: your phone number", "Sincerely,\nJane Roe"} {
			if !strings.Contains(txt, w) {
				t.Errorf("%s: the letter does not say %q:\n%s", k, w, txt)
			}
		}
		if k != Other && strings.Contains(txt, "what happened, in plain words") {
			t.Errorf("%s: the letter leaves what happened to fill in", k)
		}
		if (k == LostBackup) != strings.Contains(txt, "kept encrypted") {
			t.Errorf("%s: encryption paragraph wrong:\n%s", k, txt)
		}
		n := 0
		for _, p := range l.Body {
			n += p.Fills()
		}
		if n != strings.Count(txt, FillMark) || n < 4 {
			t.Errorf("%s: %d places to fill, %d marked", k, n, strings.Count(txt, FillMark))
		}
	}
	// Nothing known: the name, the date and the signature are places to fill.
	txt := NewLetter(LetterInput{Kind: Other}).Text()
	for _, w := range []string{"Dear [FILL IN: the client's name],", "On [FILL IN: the date it happened], [FILL IN: what happened", "Sincerely,\n[FILL IN: your name]"} {
		if !strings.Contains(txt, w) {
			t.Errorf("the letter with nothing known does not say %q:\n%s", w, txt)
		}
	}
}
