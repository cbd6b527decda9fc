package form

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestDefaultIsValidWithSevenTemplates(t *testing.T) {
	c := Default()
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, a := range c.Areas {
		keys = append(keys, a.Key)
		if a.Questions[0] != KeyFullName || !a.IsRequired(KeyFullName) {
			t.Errorf("%s: full_name is not first and required", a.Key)
		}
		// Every template asks for the names the conflict check needs.
		for _, k := range []string{KeyOtherNames, KeyAdverseParties, KeyOtherPeople, KeyOpposingCounsel, KeyPhone, KeyEmail, KeyDescription, KeyKeyDates} {
			if !contains(a.Questions, k) {
				t.Errorf("%s does not ask %s", a.Key, k)
			}
		}
	}
	want := []string{"family", "personal_injury", "criminal", "estate", "employment", "immigration", "general"}
	if !reflect.DeepEqual(keys, want) {
		t.Errorf("areas %v, want %v", keys, want)
	}
	for _, q := range c.Questions {
		if !q.Builtin {
			t.Errorf("default question %s not marked built-in", q.Key)
		}
	}
	if c.Notice.Version != 1 || !strings.Contains(c.Notice.Text, "does not make us your lawyer") {
		t.Errorf("notice %+v", c.Notice)
	}
	// Default hands out fresh copies.
	c.Questions[6].Choices[0] = "changed"
	c.Areas[0].Questions[1] = "changed"
	d := Default()
	if d.Questions[6].Choices[0] == "changed" || d.Areas[0].Questions[1] == "changed" {
		t.Error("Default shares slices between calls")
	}
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

func TestConfigJSONRoundTrip(t *testing.T) {
	c := Default()
	c.Questions = append(c.Questions, Question{Key: "q1", Label: "Favourite colour", Kind: Choice, Choices: []string{"Red", "Blue"}})
	c.Areas[0].Questions = append(c.Areas[0].Questions, "q1")
	js, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	var back Config
	if err := json.Unmarshal(js, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(&back, c) || back.Validate() != nil {
		t.Error("the configuration did not survive JSON")
	}
	if cl := c.Clone(); !reflect.DeepEqual(cl, c) {
		t.Error("Clone differs")
	} else {
		cl.Questions[len(cl.Questions)-1].Choices[0] = "x"
		cl.Areas[0].Required[0] = "x"
		if c.Questions[len(c.Questions)-1].Choices[0] == "x" || c.Areas[0].Required[0] == "x" {
			t.Error("Clone shares slices")
		}
	}
}

func TestValidateRefusesBadConfigs(t *testing.T) {
	cases := map[string]func(c *Config){
		"no areas":               func(c *Config) { c.Areas = nil },
		"no full name question":  func(c *Config) { c.Questions = c.Questions[1:] },
		"full name not first":    func(c *Config) { a := c.Areas[0].Questions; a[0], a[1] = a[1], a[0] },
		"area asks unknown":      func(c *Config) { c.Areas[1].Questions = append(c.Areas[1].Questions, "q99") },
		"area asks twice":        func(c *Config) { c.Areas[1].Questions = append(c.Areas[1].Questions, KeyPhone) },
		"requires unasked":       func(c *Config) { c.Areas[6].Required = append(c.Areas[6].Required, KeyCharges) },
		"two areas one key":      func(c *Config) { c.Areas[1].Key = c.Areas[0].Key },
		"area key with capitals": func(c *Config) { c.Areas[1].Key = "Family" },
		"area without a name":    func(c *Config) { c.Areas[1].Label = "  " },
		"duplicate question":     func(c *Config) { c.Questions = append(c.Questions, c.Questions[3]) },
		"built-in kind changed":  func(c *Config) { c.Questions[2].Kind = Short },
		"custom key not qN":      func(c *Config) { c.Questions = append(c.Questions, Question{Key: "mine", Label: "x", Kind: Short}) },
		"custom key q0":          func(c *Config) { c.Questions = append(c.Questions, Question{Key: "q0", Label: "x", Kind: Short}) },
		"custom kind names":      func(c *Config) { c.Questions = append(c.Questions, Question{Key: "q1", Label: "x", Kind: Names}) },
		"custom kind upload":     func(c *Config) { c.Questions = append(c.Questions, Question{Key: "q1", Label: "x", Kind: Upload}) },
		"custom kind unknown":    func(c *Config) { c.Questions = append(c.Questions, Question{Key: "q1", Label: "x", Kind: "html"}) },
		"custom marked built-in": func(c *Config) {
			c.Questions = append(c.Questions, Question{Key: "q1", Label: "x", Kind: Short, Builtin: true})
		},
		"choice without choices": func(c *Config) { c.Questions = append(c.Questions, Question{Key: "q1", Label: "x", Kind: Choice}) },
		"choice twice": func(c *Config) {
			c.Questions = append(c.Questions, Question{Key: "q1", Label: "x", Kind: Choice, Choices: []string{"a", "a"}})
		},
		"empty choice": func(c *Config) {
			c.Questions = append(c.Questions, Question{Key: "q1", Label: "x", Kind: Choice, Choices: []string{""}})
		},
		"choices on short text": func(c *Config) {
			c.Questions = append(c.Questions, Question{Key: "q1", Label: "x", Kind: Short, Choices: []string{"a"}})
		},
		"empty label":          func(c *Config) { c.Questions[1].Label = "" },
		"label with ESC":       func(c *Config) { c.Questions[1].Label = "Name\x1b[31m" },
		"label with a newline": func(c *Config) { c.Questions[1].Label = "Name\nX" },
		"label with override":  func(c *Config) { c.Questions[1].Label = "Name\u202e" },
		"label too long":       func(c *Config) { c.Questions[1].Label = strings.Repeat("a", MaxLabelChars+1) },
		"label padded":         func(c *Config) { c.Questions[1].Label = " Name" },
		"help invalid UTF-8":   func(c *Config) { c.Questions[1].Help = "\xff" },
		"empty notice":         func(c *Config) { c.Notice.Text = " \n " },
		"notice version 0":     func(c *Config) { c.Notice.Version = 0 },
		"notice with NUL":      func(c *Config) { c.Notice.Text = "a\x00b" },
		"too many questions": func(c *Config) {
			for i := 1; len(c.Questions) <= MaxQuestions; i++ {
				c.Questions = append(c.Questions, Question{Key: "q" + itoa(i), Label: "x", Kind: Short})
			}
		},
	}
	for name, edit := range cases {
		c := Default()
		edit(c)
		err := c.Validate()
		var fe *FieldError
		if !errors.Is(err, ErrInvalid) || !errors.As(err, &fe) || fe.Field == "" || fe.Message == "" {
			t.Errorf("%s: %v", name, err)
		}
	}
	// The lawyer's own questions of the five kinds are fine.
	c := Default()
	for i, k := range CustomKinds {
		q := Question{Key: "q" + itoa(i+1), Label: "Question " + string(k), Kind: k}
		if k == Choice {
			q.Choices = []string{"One", "Two"}
		}
		c.Questions = append(c.Questions, q)
		c.Areas[6].Questions = append(c.Areas[6].Questions, q.Key)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if got := c.NextCustomKey(); got != "q6" {
		t.Errorf("NextCustomKey = %q", got)
	}
	if got := Default().NextCustomKey(); got != "q1" {
		t.Errorf("NextCustomKey of the default = %q", got)
	}
}

func itoa(i int) string { b, _ := json.Marshal(i); return string(b) }

func TestKindWords(t *testing.T) {
	for _, k := range allKinds {
		if w := k.Words(); w == "" || w == "Unknown" {
			t.Errorf("%s has no words", k)
		}
	}
	if Kind("x").Valid() || !Upload.Valid() {
		t.Error("Valid is wrong")
	}
}
