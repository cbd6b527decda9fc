package policy

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func problemCodes(ps []Problem) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Code)
	}
	return out
}

func TestCommonListLoaded(t *testing.T) {
	m, maxLen := commonList()
	if len(m) <= 2000 {
		t.Fatalf("common password list has %d entries, want more than 2000", len(m))
	}
	for _, w := range []string{"password", "iloveyou", "123456", "qwerty", "letmein"} {
		if m[w] == 0 {
			t.Errorf("common password list lacks %q", w)
		}
	}
	if m["password"] > 10 {
		t.Errorf("rank of password = %d, want a top-10 rank (list must stay in rank order)", m["password"])
	}
	for w := range m {
		if strings.HasPrefix(w, "#") || w != strings.ToLower(w) || strings.TrimSpace(w) != w || w == "" {
			t.Fatalf("bad entry %q", w)
		}
	}
	if maxLen < 8 {
		t.Errorf("longest entry has %d runes", maxLen)
	}
}

func TestEmbeddedFileHasSourceHeader(t *testing.T) {
	first, _, _ := bytes.Cut(commonPasswordsTxt, []byte("\n"))
	if !bytes.HasPrefix(first, []byte("#")) || !bytes.Contains(commonPasswordsTxt[:1000], []byte("MIT")) {
		t.Fatalf("common-passwords.txt should start with a # header naming its source and licence, got %q", first)
	}
}

func TestCheck(t *testing.T) {
	names := []string{"jdoe", "Jane Q. Doe"}
	tests := []struct {
		name  string
		pass  string
		names []string
		want  []string // problem codes, in order; nil = acceptable
	}{
		// acceptable
		{"four words", "correct horse battery staple", names, nil},
		{"sentence", "My cat eats 3 mice a day!", names, nil},
		{"random", "7!kP#q2Lx9@vM4$z", names, nil},
		{"exactly 12", "gh7#kq2mz!pw", names, nil},
		{"no names given", "jane smith travels far", nil, nil},

		// length
		{"empty", "", nil, []string{CodeTooShort}},
		{"11 chars", "gh7#kq2mz!p", nil, []string{CodeTooShort}},
		{"short and common", "password", nil, []string{CodeTooShort, CodeCommon}},

		// common passwords
		{"common long", "1qaz2wsx3edc", nil, []string{CodeCommon, CodeSequence}},
		{"common exact", "qwerty123456", nil, []string{CodeCommon, CodeSequence}},
		{"common upper case", "PASSWORD1234", nil, []string{CodeCommon}},
		{"common trailing digits and symbol", "password123456!", nil, []string{CodeCommon}},
		{"common trailing symbols", "iloveyou!!!!!!", nil, []string{CodeCommon}},
		{"common leading and trailing", "2024 sunshine 2024", nil, []string{CodeCommon}},
		{"common with spaces", "i love you 123!", nil, []string{CodeCommon}},
		{"common l33t", "p@ssw0rd2024!", nil, []string{CodeCommon}},
		{"common l33t one", "l3tm31n123456", nil, []string{CodeCommon}},
		{"not common, word inside", "my password is long", nil, nil},

		// names
		{"login name", "hello jdoe how are you", names, []string{CodeContainsName}},
		{"surname upper case", "Fluffy DOE rides again", names, []string{CodeContainsName}},
		{"full name joined", "xx-janedoe-xx-42", []string{"Jane Doe"}, []string{CodeContainsName}},
		{"full name with punctuation", "Jane-Doe-1975-vienna", []string{"Jane Doe"}, []string{CodeContainsName}},
		{"equals name", "maximilianus!", []string{"Maximilianus"}, []string{CodeContainsName}},
		{"email login", "greetings jane.doe", []string{"jane.doe@example.com"}, []string{CodeContainsName}},
		{"email domain ignored", "example rainbow tulip", []string{"jd@example.com"}, nil},
		{"short name part ignored", "a quiet evening at home", []string{"Q"}, nil},
		{"two-letter name ignored", "wide open spaces here", []string{"Ed"}, nil},
		{"three-letter name counts", "a pleasant Tuesday walk", []string{"Ant"}, []string{CodeContainsName}},
		{"empty name ignored", "a pleasant Tuesday walk", []string{"", "  "}, nil},

		// the app's name
		{"casevault", "my casevault 2026", nil, []string{CodeContainsAppName}},
		{"casevault spaced", "Case Vault rocks!", nil, []string{CodeContainsAppName}},
		{"casevault alone", "CaseVault!!!", nil, []string{CodeContainsAppName}},

		// repeats
		{"one char", "aaaaaaaaaaaa", nil, []string{CodeRepeated}},
		{"one digit", "000000000000", nil, []string{CodeRepeated}},
		{"one symbol", "!!!!!!!!!!!!", nil, []string{CodeRepeated}},
		{"spaces", "            ", nil, []string{CodeRepeated}},
		{"pair", "abababababab", nil, []string{CodeRepeated}},
		{"group of four", "abcdabcdabcd", nil, []string{CodeRepeated}},
		{"repeat then digits", "zzzzzzzz1234", nil, []string{CodeRepeated}},

		// sequences
		{"digits", "123456789012", nil, []string{CodeSequence}},
		{"digits down", "987654321098", nil, []string{CodeSequence}},
		{"letters", "abcdefghijkl", nil, []string{CodeSequence}},
		{"letters down", "zyxwvutsrqpo", nil, []string{CodeSequence}},
		{"letters wrapping", "uvwxyzabcdef", nil, []string{CodeSequence}},
		{"keyboard row", "qwertyuiopas", nil, []string{CodeSequence}},
		{"keyboard row upper", "QWERTYUIOPAS", nil, []string{CodeSequence}},
		{"keyboard row spaced", "q w e r t y u i o p", nil, []string{CodeCommon, CodeSequence}},
		{"keyboard row spaced, not common", "w e r t y u i o p a", nil, []string{CodeSequence}},
		{"keyboard row back", "lkjhgfdsapoiu", nil, []string{CodeSequence}},
		{"keyboard then digits", "asdfghjkl123", nil, []string{CodeCommon, CodeSequence}},
		{"keyboard then digits, not common", "sdfghjkl1234", nil, []string{CodeSequence}},
		{"digits then keyboard", "98765xcvbnm,", nil, []string{CodeSequence}},
		{"azerty", "azertyuiopqs", nil, []string{CodeSequence}},
		{"columns", "1qaz2wsx3edc4rfv", nil, []string{CodeCommon, CodeSequence}},
		{"shifted digits", "!@#$%^&*()_+", nil, []string{CodeSequence}},
		{"greek", "αβγδεζηθικλμ", nil, []string{CodeSequence}},

		// several at once
		{"short, common, name", "jdoe", names, []string{CodeTooShort, CodeContainsName}},
		{"name and app", "jdoe casevault", names, []string{CodeContainsName, CodeContainsAppName}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Check([]byte(tt.pass), tt.names...)
			if !slices.Equal(problemCodes(got), tt.want) {
				t.Fatalf("Check(%q, %q) = %v, want %v", tt.pass, tt.names, problemCodes(got), tt.want)
			}
			for _, p := range got {
				if p.Message == "" || !strings.HasSuffix(p.Message, ".") {
					t.Errorf("problem %s has no proper message: %q", p.Code, p.Message)
				}
				if utf8.RuneCountInString(tt.pass) >= MinLength && strings.Contains(p.Message, tt.pass) {
					t.Errorf("message repeats the passphrase: %q", p.Message)
				}
			}
		})
	}
}

func TestCheckCountsRunes(t *testing.T) {
	tests := []struct {
		pass      string
		tooShort  bool
		wantRunes int
	}{
		{"ßüöäéèàçñ日本語", false, 12}, // 12 runes, 27 bytes
		{"ßüöäéèàçñ日本", true, 11},   // 11 runes, 24 bytes: too short though > 12 bytes
		{"日本語の長い文章ですけれども", false, 14},
		{"😀🐱🌍🎉🍕🚲📚🎸🌈🔑💡🧩", false, 12}, // 4-byte runes
		{"😀🐱🌍🎉🍕🚲📚🎸🌈🔑💡", true, 11},
		// "é" typed as e + combining accent counts as one character (NFC).
		{"cafe\u0301 cafe\u0301 o", true, 11}, // 13 code points before NFC
		{"cafe\u0301 cafe\u0301 ok", false, 12},
	}
	for _, tt := range tests {
		got := Check([]byte(tt.pass))
		short := slices.Contains(problemCodes(got), CodeTooShort)
		if short != tt.tooShort {
			t.Errorf("Check(%q): too short = %v, want %v (%d bytes, %d runes)", tt.pass, short, tt.tooShort, len(tt.pass), utf8.RuneCountInString(tt.pass))
		}
		if short {
			if want := tooShortMessage(tt.wantRunes, MinLength); got[0].Message != want {
				t.Errorf("Check(%q) message %q, want %q", tt.pass, got[0].Message, want)
			}
		}
	}
}

func TestCheckUnicodeNamesAndCase(t *testing.T) {
	// Unicode case folding of names and passphrase.
	if got := problemCodes(Check([]byte("ÜBER MÜLLER GEHT ES"), "Jürgen Müller")); !slices.Equal(got, []string{CodeContainsName}) {
		t.Errorf("got %v, want contains_name", got)
	}
	// Decomposed ü in the passphrase still matches a composed ü in the name.
	if got := problemCodes(Check([]byte("ein tag mit mu\u0308ller"), "Müller")); !slices.Equal(got, []string{CodeContainsName}) {
		t.Errorf("got %v, want contains_name", got)
	}
	// Invalid UTF-8 does not panic; it is refused as not being text.
	if got := problemCodes(Check([]byte{0xff, 0xfe, 'a'})); !slices.Equal(got, []string{CodeNotText}) {
		t.Errorf("got %v", got)
	}
}

func TestCheckDoesNotChangeInput(t *testing.T) {
	pass := []byte("My cat eats 3 mice a day!")
	orig := slices.Clone(pass)
	Check(pass, "jdoe")
	Strength(pass, "jdoe")
	if !bytes.Equal(pass, orig) {
		t.Fatalf("input changed: %q", pass)
	}
}

func TestProblemMessagesArePlain(t *testing.T) {
	all := Check([]byte("jdoe"), "jdoe")
	all = append(all, Check([]byte("aaaa casevault 1234"))...)
	all = append(all, Check([]byte("abcdefghijkl"))...)
	all = append(all, Check([]byte("xyxyxyxyxyxyxy"))...)
	all = append(all, Check([]byte("password123456"))...)
	seen := map[string]bool{}
	for _, p := range all {
		seen[p.Code] = true
		for _, jargon := range []string{"entropy", "rune", "NFC", "hash", "dictionary", "regex"} {
			if strings.Contains(strings.ToLower(p.Message), strings.ToLower(jargon)) {
				t.Errorf("%s message uses jargon %q: %s", p.Code, jargon, p.Message)
			}
		}
	}
	for _, c := range []string{CodeTooShort, CodeCommon, CodeContainsName, CodeContainsAppName, CodeRepeated, CodeSequence} {
		if !seen[c] {
			t.Errorf("no message checked for %s", c)
		}
	}
}

func TestIsSequence(t *testing.T) {
	for _, s := range []string{"abc", "cba", "890123", "qwerty", "poiuy", "1qaz2wsx", "zaq1xsw2", "q1w2e3r4", "789456123", "147258369"} {
		if !isSequence([]rune(s)) {
			t.Errorf("isSequence(%q) = false", s)
		}
	}
	for _, s := range []string{"ab", "abd", "acb", "qwerta", "1357", "hello", "abcabc"} {
		if isSequence([]rune(s)) {
			t.Errorf("isSequence(%q) = true", s)
		}
	}
}

func FuzzCheck(f *testing.F) {
	for _, s := range []string{"", "password123456!", "correct horse battery staple", "aaaaaaaaaaaa",
		"qwertyuiopas", "ßüöäéèàçñ日本", "\xff\xfe\x00", "jdoe 3/14/1975", "casevault", "p@ssw0rd"} {
		f.Add([]byte(s), "Jane Doe")
	}
	f.Fuzz(func(t *testing.T, pass []byte, name string) {
		orig := slices.Clone(pass)
		problems := Check(pass, name, "jdoe")
		for _, p := range problems {
			if p.Code == "" || p.Message == "" {
				t.Fatalf("empty problem %+v", p)
			}
		}
		if len(problems) == 0 && utf8.RuneCount(pass) < MinLength && utf8.ValidString(string(pass)) && len(pass) < 4*MinLength {
			// NFC may only shorten valid text; an accepted passphrase is long enough.
			t.Fatalf("accepted %q with %d runes", pass, utf8.RuneCount(pass))
		}
		r := Evaluate(pass, name, "jdoe")
		if r.Score < 0 || r.Score > 4 || r.Label != labels[r.Score] {
			t.Fatalf("bad result %+v", r)
		}
		if r.GuessesLog10 < 0 || r.GuessesLog10 != r.GuessesLog10 {
			t.Fatalf("bad guesses %v for %q", r.GuessesLog10, pass)
		}
		if len(problems) > 0 && r.Score > 1 {
			t.Fatalf("rejected passphrase scored %d", r.Score)
		}
		if !bytes.Equal(pass, orig) {
			t.Fatalf("input changed")
		}
	})
}

// TestCheckNotUTF8: bytes that are not UTF-8 are refused as not being
// text, not as "the same character over and over" (what the replacement
// characters looked like to the pattern rule).
func TestCheckNotUTF8(t *testing.T) {
	for _, pass := range [][]byte{bytes.Repeat([]byte{0xff}, 20), []byte("lantern orbit \xe9 velvet cactus")} {
		probs := Check(pass)
		if len(probs) != 1 || probs[0].Code != CodeNotText || !strings.Contains(probs[0].Message, "not valid text") {
			t.Errorf("Check(%q) = %v, want one %s problem", pass, probs, CodeNotText)
		}
	}
}

func TestCheckWithRules(t *testing.T) {
	pass := []byte("lantern harbour velvet")
	if ps := CheckWith(pass, Rules{}); len(ps) != 0 {
		t.Fatalf("default rules: %v", ps)
	}
	if ps := CheckWith(pass, Rules{MinLength: 30}); len(ps) != 1 || ps[0].Code != CodeTooShort || !strings.Contains(ps[0].Message, "at least 30") {
		t.Errorf("min 30: %v", ps)
	}
	if ps := CheckWith([]byte("qzvrkmw"), Rules{MinLength: 2}); len(ps) != 1 || !strings.Contains(ps[0].Message, "at least 8") {
		t.Errorf("a minimum below the floor: %v", ps)
	}
	if ps := CheckWith(pass, Rules{MinClasses: 3}); len(ps) != 1 || ps[0].Code != CodeClasses || !strings.Contains(ps[0].Message, "uses 2") {
		t.Errorf("three classes: %v", ps)
	}
	if ps := CheckWith([]byte("Lantern harbour 7 velvet"), Rules{MinClasses: 4}); len(ps) != 0 {
		t.Errorf("four classes used: %v", ps)
	}
	for s, n := range map[string]int{"": 0, "abc": 1, "aB": 2, "aB1": 3, "aB1 ": 4, "日本": 1} {
		if got := Classes([]byte(s)); got != n {
			t.Errorf("Classes(%q) = %d, want %d", s, got, n)
		}
	}
}
