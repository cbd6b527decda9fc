package form

import (
	"crypto/rand"
	"encoding/hex"
	"path"
	"strings"
	"time"
	"unicode/utf8"

	"casevault/app/human"
)

// The format name and version of submission.json.
const (
	FormatName    = "casevault-intake"
	FormatVersion = 1
)

// KeyDate is one row of an "Important dates" answer.
type KeyDate struct {
	What string `json:"what"`
	Date string `json:"date"` // YYYY-MM-DD
}

// Answer is the answer to one question. It carries the question's label
// and kind as they were when it was asked, so an old submission reads the
// same whatever the form has become since.
type Answer struct {
	Key   string    `json:"key"`
	Label string    `json:"label"`
	Kind  Kind      `json:"kind"`
	Text  string    `json:"text,omitempty"`  // short, long, date (YYYY-MM-DD), yesno ("yes"/"no"), choice, email, phone
	List  []string  `json:"list,omitempty"`  // names
	Dates []KeyDate `json:"dates,omitempty"` // dates
}

// Empty reports whether the answer says nothing.
func (a *Answer) Empty() bool { return a.Text == "" && len(a.List) == 0 && len(a.Dates) == 0 }

// FileMeta describes one uploaded file of a submission.
type FileMeta struct {
	N         int    `json:"n"`        // 1, 2, …: the file is files/N in the sealed file
	Question  string `json:"question"` // the key of the file question it answers
	Name      string `json:"name"`     // the name the person's device gave it (cleaned: see CleanFileName)
	MediaType string `json:"media_type"`
	Size      int64  `json:"size"`
	SHA256    string `json:"sha256"` // lowercase hex
}

// File is an uploaded file with its bytes.
type File struct {
	Meta FileMeta
	Data []byte
}

// Submission is one person's sent form: submission.json of a sealed file.
type Submission struct {
	Format       string     `json:"format"`  // FormatName
	Version      int        `json:"version"` // FormatVersion
	ID           string     `json:"id"`      // 32 lowercase hex (NewID); the sealed file is <ID>.age
	ReceivedAt   time.Time  `json:"received_at"`
	Session      string     `json:"session"` // 16 lowercase hex: the intake run that received it
	PracticeArea string     `json:"practice_area"`
	FormVersion  int        `json:"form_version"`
	Notice       Notice     `json:"notice"` // the privacy notice as shown, and its version
	Consent      bool       `json:"consent"`
	Answers      []Answer   `json:"answers"`
	Files        []FileMeta `json:"files"`
}

// Answer returns the answer to question key.
func (s *Submission) Answer(key string) (*Answer, bool) {
	for i := range s.Answers {
		if s.Answers[i].Key == key {
			return &s.Answers[i], true
		}
	}
	return nil, false
}

// FullName is the answer to full_name ("" if there is none).
func (s *Submission) FullName() string {
	if a, ok := s.Answer(KeyFullName); ok {
		return a.Text
	}
	return ""
}

// NameRole is a name from a submission and the part its person plays.
type NameRole struct {
	Name string `json:"name"`
	Role string `json:"role"` // RoleClient, RoleAlias, RoleAdverse, RoleRelated or RoleOpposingCounsel
}

// The roles of ConflictNames.
const (
	RoleClient          = "client"
	RoleAlias           = "alias"
	RoleAdverse         = "adverse"
	RoleRelated         = "related"
	RoleOpposingCounsel = "opposing_counsel"
)

// ConflictNames lists every name in the submission a conflict check must
// look at: the person (client), their other names (alias), the other side
// (adverse), other people (related) and the other side's lawyer
// (opposing_counsel). Empty names and exact repeats in a role are left out.
func (s *Submission) ConflictNames() []NameRole {
	var out []NameRole
	seen := map[NameRole]bool{}
	add := func(name, role string) {
		name = strings.TrimSpace(name)
		nr := NameRole{Name: name, Role: role}
		if name == "" || seen[nr] {
			return
		}
		seen[nr] = true
		out = append(out, nr)
	}
	add(s.FullName(), RoleClient)
	for _, p := range []struct{ key, role string }{
		{KeyOtherNames, RoleAlias}, {KeyAdverseParties, RoleAdverse},
		{KeyOtherPeople, RoleRelated}, {KeyOpposingCounsel, RoleOpposingCounsel},
	} {
		if a, ok := s.Answer(p.key); ok {
			for _, n := range a.List {
				add(n, p.role)
			}
		}
	}
	return out
}

// NewID returns a new submission id: 32 lowercase hex digits from
// crypto/rand.
func NewID() string { return randomHex(16) }

// NewSessionID returns a new intake-run id: 16 lowercase hex digits.
func NewSessionID() string { return randomHex(8) }

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails (crypto/rand panics rather than return short)
	return hex.EncodeToString(b)
}

// MaxFileNameChars bounds the name of an uploaded file.
const MaxFileNameChars = 120

// CleanFileName makes the name a browser gave an upload safe to keep and
// show: the last path element only (a browser on Windows may send
// C:\Users\…), invalid bytes, control characters and direction overrides
// dropped, at most MaxFileNameChars characters, and "file" when nothing is
// left.
func CleanFileName(name string) string {
	name = strings.ReplaceAll(name, `\`, "/")
	name = path.Base(name)
	var b strings.Builder
	for i := 0; i < len(name); {
		r, n := utf8.DecodeRuneInString(name[i:])
		i += n
		if (r == utf8.RuneError && n == 1) || checkText(string(r), false, 0) != textOK {
			continue
		}
		b.WriteRune(r)
	}
	name = human.TrimInvisible(b.String())
	if chars(name) > MaxFileNameChars {
		// Keep the extension: "…long name.pdf".
		ext := path.Ext(name)
		if chars(ext) > 10 {
			ext = ""
		}
		rs := []rune(strings.TrimSuffix(name, ext))
		name = string(rs[:MaxFileNameChars-chars(ext)]) + ext
		// The cut may leave spaces or invisible characters at the end:
		// trim them, so the name is clean when cleaned again (Open
		// refuses a name that is not).
		name = human.TrimInvisible(name)
	}
	if name == "" || name == "." || name == ".." || name == "/" || !human.HasVisible(name) {
		return "file"
	}
	return name
}
