package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestIntakeFormCommands: the form's questions and notice from the command
// line, each change a new version; the lawyer's own questions get keys
// never used before; built-in questions cannot be removed; hostile labels
// are shown escaped.
func TestIntakeFormCommands(t *testing.T) {
	t.Parallel()
	v := newTV(t)
	v.want(0, []string{"not changed yet", "Full legal name", "Privacy notice (version 1)", "* must be answered"}, "intake", "form", "show")

	notice := filepath.Join(t.TempDir(), "notice.txt")
	if err := os.WriteFile(notice, []byte("Your answers are kept by Roe & Co.\nAsk us to delete them.\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	v.want(0, []string{"Privacy notice saved", "version 1"}, "intake", "form", "notice", "--text-file", notice)
	v.want(0, []string{"already reads so"}, "intake", "form", "notice", "--text-file", notice)
	v.want(ExitUsage, []string{"needs the notice's text"}, "intake", "form", "notice")
	v.want(0, []string{"Privacy notice (version 2)", "Your answers are kept by Roe & Co.", "Ask us to delete them."}, "intake", "form", "show")

	v.want(ExitUsage, []string{"needs --label"}, "intake", "form", "add-question", "--kind", "yesno", "--areas", "family")
	v.want(ExitUsage, []string{`--kind is short, long, date, yesno or choice, not "names"`}, "intake", "form", "add-question", "--label", "X", "--kind", "names", "--areas", "family")
	v.want(ExitUsage, []string{"at least two answers"}, "intake", "form", "add-question", "--label", "X", "--kind", "choice", "--choices", "A", "--areas", "family")
	v.want(ExitUsage, []string{"--choices goes with --kind choice"}, "intake", "form", "add-question", "--label", "X", "--kind", "short", "--choices", "A,B", "--areas", "family")
	v.want(ExitUsage, []string{"needs --areas"}, "intake", "form", "add-question", "--label", "X", "--kind", "short")
	v.want(ExitUsage, []string{`there is no practice area "tax"`}, "intake", "form", "add-question", "--label", "X", "--kind", "short", "--areas", "tax")
	v.want(0, []string{"Question q1 added to 1 practice area"}, "intake", "form", "add-question", "--label", "Children under 18?", "--kind", "yesno", "--areas", "family")
	v.want(ExitError, []string{"control character", "not changed"}, "intake", "form", "add-question", "--label", "Language \x1b[2J", "--kind", "short", "--areas", "all")
	v.want(0, []string{"Question q2 added to 7 practice areas"}, "intake", "form", "add-question", "--label", "Language\u200b?", "--kind", "choice", "--choices", "English, Spanish", "--areas", "all")
	out := v.want(0, []string{"q1", "Children under 18?", "Yes or no", `Language\u200b?`, "English, Spanish"}, "intake", "form", "show")
	noRawControl(t, "intake form show", out)

	if out := v.want(0, []string{"Children under 18?"}, "intake", "form", "show", "family"); strings.Contains(out, "Personal injury") {
		t.Errorf("intake form show family shows other areas:\n%s", out)
	}
	v.want(ExitUsage, []string{`no practice area "tax"`}, "intake", "form", "show", "tax")
	v.want(ExitUsage, []string{"cannot be removed"}, "intake", "form", "remove-question", "full_name")
	v.want(ExitUsage, []string{`no question "q9"`}, "intake", "form", "remove-question", "q9")
	v.want(0, []string{"Question q1 removed"}, "intake", "form", "remove-question", "q1")
	// A new question after the removal does not take q1's key while q2 is there.
	v.want(0, []string{"Question q3 added"}, "intake", "form", "add-question", "--label", "Other", "--kind", "short", "--areas", "estate")
	// Nor q3's once q3 is gone: the key printed is the one saved.
	v.want(0, []string{"Question q3 removed"}, "intake", "form", "remove-question", "q3")
	added := okJSON[struct {
		Key string `json:"key"`
	}](v, "intake", "form", "add-question", "--label", "Another", "--kind", "date", "--areas", "estate")
	if added.Key != "q4" {
		t.Errorf("the question added after q3 was removed got the key %q, want q4", added.Key)
	}

	v.want(0, []string{"Practice area", "changed: 4 questions, 2 of them must be answered"}, "intake", "form", "area", "criminal", "--questions", "date_of_birth,full_name,phone,description", "--required", "phone")
	v.want(ExitUsage, []string{"not among --questions"}, "intake", "form", "area", "criminal", "--questions", "full_name,phone", "--required", "email")
	v.want(ExitUsage, []string{`no question "nope"`}, "intake", "form", "area", "criminal", "--questions", "full_name,nope")
	v.want(ExitUsage, []string{`no practice area "tax" yet`, "--label"}, "intake", "form", "area", "tax", "--questions", "full_name,phone")
	v.want(0, []string{"Practice area Tax added"}, "intake", "form", "area", "tax", "--questions", "full_name,phone", "--label", "Tax")
	js := okJSON[struct {
		Areas []struct {
			Key       string   `json:"key"`
			Questions []string `json:"questions"`
		} `json:"areas"`
	}](v, "intake", "form", "show")
	for _, a := range js.Areas {
		if a.Key == "criminal" && strings.Join(a.Questions, ",") != "full_name,date_of_birth,phone,description" {
			t.Errorf("criminal's questions: %v (full_name comes first)", a.Questions)
		}
	}
}
