// Package form is the client intake form: its questions and practice
// areas (the lawyer's choice, with seven starting templates), reading and
// checking a posted form, the sealed-submission file format (Seal, Open)
// and the HTML pages a prospective client sees.
//
// It is pure: the standard library, filippo.io/age and casevault/app/human
// only. It knows nothing of the vault, so the intake server that uses it
// holds no vault key by construction.
package form

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

// Kind is the kind of answer a question takes.
type Kind string

// The five kinds the lawyer's own questions can have, then the built-in
// structured kinds.
const (
	Short  Kind = "short"  // one line of text
	Long   Kind = "long"   // several lines of text
	Date   Kind = "date"   // a day, YYYY-MM-DD
	YesNo  Kind = "yesno"  // "yes" or "no"
	Choice Kind = "choice" // one of Question.Choices

	Names  Kind = "names" // names, one per line
	Dates  Kind = "dates" // a few rows of what happened and when
	Email  Kind = "email" // an e-mail address
	Phone  Kind = "phone" // a telephone number
	Upload Kind = "file"  // an upload (the files travel beside the answers); the constant is not named File: that is the type of an uploaded file
)

// CustomKinds are the kinds the lawyer's own questions may have.
var CustomKinds = []Kind{Short, Long, Date, YesNo, Choice}

var allKinds = []Kind{Short, Long, Date, YesNo, Choice, Names, Dates, Email, Phone, Upload}

// Valid reports whether k is a kind this package knows.
func (k Kind) Valid() bool { return slices.Contains(allKinds, k) }

// Words names the kind for the lawyer: "Short text", "Yes or no".
func (k Kind) Words() string {
	switch k {
	case Short:
		return "Short text"
	case Long:
		return "Long text"
	case Date:
		return "Date"
	case YesNo:
		return "Yes or no"
	case Choice:
		return "Choice"
	case Names:
		return "Names, one per line"
	case Dates:
		return "Important dates"
	case Email:
		return "E-mail address"
	case Phone:
		return "Phone number"
	case Upload:
		return "File upload"
	}
	return "Unknown"
}

// Question is one question of the form.
type Question struct {
	Key     string   `json:"key"` // built-in: see the Key… constants; custom: "q1", "q2", … (never reused)
	Label   string   `json:"label"`
	Help    string   `json:"help,omitempty"`
	Kind    Kind     `json:"kind"`
	Choices []string `json:"choices,omitempty"` // Choice only
	Builtin bool     `json:"builtin,omitempty"`
}

// Area is a practice area: which questions its form shows, in order, and
// which must be answered.
type Area struct {
	Key       string   `json:"key"` // family, personal_injury, criminal, estate, employment, immigration, general, or the lawyer's own
	Label     string   `json:"label"`
	Questions []string `json:"questions"` // keys, in order shown (full_name is always first and always required)
	Required  []string `json:"required,omitempty"`
}

// IsRequired reports whether the area requires an answer to question key
// (full_name always).
func (a *Area) IsRequired(key string) bool {
	return key == KeyFullName || slices.Contains(a.Required, key)
}

// Notice is the lawyer's privacy notice; the version agreed to is
// recorded with each submission.
type Notice struct {
	Version int    `json:"version"`
	Text    string `json:"text"`
}

// Config is the whole form: every question, the practice areas and the
// privacy notice.
type Config struct {
	Version   int        `json:"version"`   // set by the app when saved (intake_forms.version)
	Questions []Question `json:"questions"` // built-in ones first, then the lawyer's own
	Areas     []Area     `json:"areas"`
	Notice    Notice     `json:"notice"`
}

// Area returns the practice area with that key.
func (c *Config) Area(key string) (*Area, bool) {
	for i := range c.Areas {
		if c.Areas[i].Key == key {
			return &c.Areas[i], true
		}
	}
	return nil, false
}

// Question returns the question with that key.
func (c *Config) Question(key string) (*Question, bool) {
	for i := range c.Questions {
		if c.Questions[i].Key == key {
			return &c.Questions[i], true
		}
	}
	return nil, false
}

// AreaQuestions returns the questions of an area, in the order shown.
// Keys that name no question are skipped (Validate refuses them).
func (c *Config) AreaQuestions(a *Area) []Question {
	out := make([]Question, 0, len(a.Questions))
	for _, k := range a.Questions {
		if q, ok := c.Question(k); ok {
			out = append(out, *q)
		}
	}
	return out
}

// NextCustomKey is the key for a new question of the lawyer's: "q" and one
// more than the highest number used so far, so a key is never reused.
func (c *Config) NextCustomKey() string {
	hi := 0
	for _, q := range c.Questions {
		var n int
		if m := customKeyRE.FindStringSubmatch(q.Key); m != nil {
			_, _ = fmt.Sscanf(m[1], "%d", &n)
			if n > hi {
				hi = n
			}
		}
	}
	return fmt.Sprintf("q%d", hi+1)
}

// Clone returns a deep copy of c.
func (c *Config) Clone() *Config {
	out := &Config{Version: c.Version, Notice: c.Notice}
	out.Questions = make([]Question, len(c.Questions))
	for i, q := range c.Questions {
		q.Choices = slices.Clone(q.Choices)
		out.Questions[i] = q
	}
	out.Areas = make([]Area, len(c.Areas))
	for i, a := range c.Areas {
		a.Questions = slices.Clone(a.Questions)
		a.Required = slices.Clone(a.Required)
		out.Areas[i] = a
	}
	return out
}

// ErrInvalid is what every error of Config.Validate wraps.
var ErrInvalid = errors.New("the intake form is not valid")

// FieldError says which part of the form configuration is wrong and why,
// in words for the lawyer. It wraps ErrInvalid.
type FieldError struct {
	Field   string // e.g. "questions[3].label", "areas[family].questions", "notice.text"
	Message string
}

func (e *FieldError) Error() string { return e.Message }
func (e *FieldError) Unwrap() error { return ErrInvalid }

// Bounds of a form configuration.
const (
	MaxQuestions     = 200
	MaxAreas         = 50
	MaxChoices       = 30
	MaxLabelChars    = 200
	MaxHelpChars     = 500
	MaxChoiceChars   = 100
	MaxNoticeChars   = 20000
	MaxAreaQuestions = 100
)

var (
	keyRE       = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)
	customKeyRE = regexp.MustCompile(`^q([1-9][0-9]{0,8})$`)
)

// Validate checks the configuration: question keys well formed and
// unique, built-in questions with their fixed kinds, the lawyer's own
// questions of a kind they may have, choices for a choice question,
// labels present and printable, areas naming existing questions with
// full_name first and each question once, at least one area, and a
// privacy notice. The error is a *FieldError.
func (c *Config) Validate() error {
	bad := func(field, format string, args ...any) error {
		return &FieldError{Field: field, Message: fmt.Sprintf(format, args...)}
	}
	if len(c.Questions) > MaxQuestions {
		return bad("questions", "The form has %d questions; at most %d are allowed.", len(c.Questions), MaxQuestions)
	}
	seen := make(map[string]bool, len(c.Questions))
	for i, q := range c.Questions {
		f := fmt.Sprintf("questions[%d]", i)
		if !keyRE.MatchString(q.Key) {
			return bad(f+".key", "Question %d has a key that is not allowed (lower-case letters, digits and _ only).", i+1)
		}
		if seen[q.Key] {
			return bad(f+".key", "Two questions have the same key %q.", q.Key)
		}
		seen[q.Key] = true
		if msg := configText(q.Label, MaxLabelChars, true); msg != "" {
			return bad(f+".label", "The question %q: its wording %s.", q.Key, msg)
		}
		if msg := configText(q.Help, MaxHelpChars, false); msg != "" {
			return bad(f+".help", "The question %q: its help text %s.", q.Key, msg)
		}
		if want, ok := builtinKinds[q.Key]; ok {
			if q.Kind != want {
				return bad(f+".kind", "The built-in question %q must be of the kind %q.", q.Key, want.Words())
			}
			if q.Kind == Choice && len(q.Choices) == 0 {
				return bad(f+".choices", "The question %q needs at least one choice.", q.Label)
			}
		} else {
			if q.Builtin {
				return bad(f+".builtin", "The question %q is marked built-in but is not one of the built-in questions.", q.Key)
			}
			if !customKeyRE.MatchString(q.Key) {
				return bad(f+".key", "Your own questions have keys q1, q2 and so on; %q is not one.", q.Key)
			}
			if !slices.Contains(CustomKinds, q.Kind) {
				return bad(f+".kind", "The question %q must be short text, long text, a date, yes or no, or a choice.", q.Label)
			}
		}
		if q.Kind == Choice {
			if len(q.Choices) < 1 || len(q.Choices) > MaxChoices {
				return bad(f+".choices", "The question %q needs between 1 and %d choices.", q.Label, MaxChoices)
			}
			cs := map[string]bool{}
			for _, ch := range q.Choices {
				if msg := configText(ch, MaxChoiceChars, true); msg != "" {
					return bad(f+".choices", "A choice of the question %q %s.", q.Label, msg)
				}
				if cs[ch] {
					return bad(f+".choices", "The question %q offers the choice %q twice.", q.Label, ch)
				}
				cs[ch] = true
			}
		} else if len(q.Choices) > 0 {
			return bad(f+".choices", "Only a choice question can have choices (%q is %s).", q.Label, strings.ToLower(q.Kind.Words()))
		}
	}
	if _, ok := c.Question(KeyFullName); !ok {
		return bad("questions", "The form must ask for the person's full legal name.")
	}
	if len(c.Areas) == 0 {
		return bad("areas", "The form needs at least one practice area.")
	}
	if len(c.Areas) > MaxAreas {
		return bad("areas", "The form has %d practice areas; at most %d are allowed.", len(c.Areas), MaxAreas)
	}
	areaSeen := map[string]bool{}
	for _, a := range c.Areas {
		f := "areas[" + a.Key + "]"
		if !keyRE.MatchString(a.Key) {
			return bad("areas", "A practice area has a key that is not allowed (lower-case letters, digits and _ only).")
		}
		if areaSeen[a.Key] {
			return bad(f, "Two practice areas have the key %q.", a.Key)
		}
		areaSeen[a.Key] = true
		if msg := configText(a.Label, MaxLabelChars, true); msg != "" {
			return bad(f+".label", "The practice area %q: its name %s.", a.Key, msg)
		}
		if len(a.Questions) == 0 || a.Questions[0] != KeyFullName {
			return bad(f+".questions", "The practice area %q must ask for the full legal name first.", a.Label)
		}
		if len(a.Questions) > MaxAreaQuestions {
			return bad(f+".questions", "The practice area %q has more than %d questions.", a.Label, MaxAreaQuestions)
		}
		inArea := map[string]bool{}
		for _, k := range a.Questions {
			if _, ok := c.Question(k); !ok {
				return bad(f+".questions", "The practice area %q asks a question that does not exist (%q).", a.Label, k)
			}
			if inArea[k] {
				return bad(f+".questions", "The practice area %q asks the same question twice.", a.Label)
			}
			inArea[k] = true
		}
		for _, k := range a.Required {
			if !inArea[k] {
				return bad(f+".required", "The practice area %q requires an answer to a question it does not ask (%q).", a.Label, k)
			}
		}
	}
	if c.Notice.Version < 1 {
		return bad("notice.version", "The privacy notice has no version number.")
	}
	if !hasVisible(c.Notice.Text) {
		return bad("notice.text", "The privacy notice is empty: write what you do with the answers before starting intake.")
	}
	if t := checkText(c.Notice.Text, true, MaxNoticeChars); t != textOK {
		return bad("notice.text", "The privacy notice %s.", t.phrase(MaxNoticeChars))
	}
	return nil
}

// configText checks a label, help text or choice: "" when fine, else the
// end of a sentence saying what is wrong.
func configText(s string, max int, required bool) string {
	if required && !hasVisible(s) {
		return "is empty"
	}
	if t := checkText(s, false, max); t != textOK {
		return t.phrase(max)
	}
	if s != strings.TrimSpace(s) {
		return "starts or ends with spaces"
	}
	return ""
}

// chars counts characters (runes) of valid UTF-8.
func chars(s string) int { return utf8.RuneCountInString(s) }
