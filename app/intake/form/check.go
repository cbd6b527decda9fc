package form

import (
	"fmt"
	"regexp"
	"time"

	"casevault/app/human"
)

// Bounds of an answer. Parse refuses more with a message beside the
// field; Open refuses a sealed file with more as malformed.
const (
	MaxShortChars = 200
	MaxLongChars  = 5000
	MaxNames      = 20 // names in one Names answer
	MaxNameChars  = 200
	KeyDateRows   = 4 // rows of an Important dates answer
	MaxEmailChars = 254
	MaxPhoneChars = 40
	MaxAnswers    = MaxAreaQuestions
)

var (
	hex32RE     = regexp.MustCompile(`^[0-9a-f]{32}$`)
	hex16RE     = regexp.MustCompile(`^[0-9a-f]{16}$`)
	hex64RE     = regexp.MustCompile(`^[0-9a-f]{64}$`)
	mediaTypeRE = regexp.MustCompile(`^[a-z0-9][a-z0-9!#$&^_.+-]{0,63}/[a-z0-9][a-z0-9!#$&^_.+-]{0,63}$`)
	isoDateRE   = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`)
)

// maxChars is the length bound of a one-text answer of kind k.
func maxChars(k Kind) int {
	switch k {
	case Long:
		return MaxLongChars
	case Email:
		return MaxEmailChars
	case Phone:
		return MaxPhoneChars
	case Choice:
		return MaxChoiceChars
	}
	return MaxShortChars
}

// validDay reports whether s is a real day written YYYY-MM-DD.
func validDay(s string) bool {
	if !isoDateRE.MatchString(s) {
		return false
	}
	_, err := human.ParseDate(s)
	return err == nil
}

// checkSubmission checks everything in s that does not need the files'
// bytes: what Open refuses as malformed and Seal refuses to write.
func checkSubmission(s *Submission, lim Limits) error {
	switch {
	case s.Format != FormatName:
		return fmt.Errorf("the format is %q, not %q", human.Truncate(s.Format, 40), FormatName)
	case s.Version != FormatVersion:
		return fmt.Errorf("format version %d is not known (this program reads version %d)", s.Version, FormatVersion)
	case !hex32RE.MatchString(s.ID):
		return fmt.Errorf("the id is not 32 lowercase hex digits")
	case s.ReceivedAt.IsZero() || s.ReceivedAt.Year() < 2000 || s.ReceivedAt.Year() > 9999:
		return fmt.Errorf("the time received is missing or not believable")
	case !hex16RE.MatchString(s.Session):
		return fmt.Errorf("the intake run id is not 16 lowercase hex digits")
	case s.PracticeArea != "" && !keyRE.MatchString(s.PracticeArea):
		return fmt.Errorf("the practice area key is not allowed")
	case s.FormVersion < 0:
		return fmt.Errorf("the form version is negative")
	case s.Notice.Version < 1:
		return fmt.Errorf("the privacy notice has no version")
	case !s.Consent:
		return fmt.Errorf("the person did not agree to the privacy notice")
	case len(s.Answers) > MaxAnswers:
		return fmt.Errorf("%d answers, at most %d", len(s.Answers), MaxAnswers)
	case len(s.Files) > lim.MaxFiles:
		return fmt.Errorf("%s, at most %d", human.Count(len(s.Files), "file", "files"), lim.MaxFiles)
	}
	if t := checkText(s.Notice.Text, true, MaxNoticeChars); t != textOK {
		return fmt.Errorf("the privacy notice %s", t.phrase(MaxNoticeChars))
	}
	seen := map[string]bool{}
	for i := range s.Answers {
		a := &s.Answers[i]
		if seen[a.Key] {
			return fmt.Errorf("two answers to question %q", a.Key)
		}
		seen[a.Key] = true
		if err := checkAnswer(a); err != nil {
			return fmt.Errorf("answer %d: %w", i+1, err)
		}
	}
	if a, ok := s.Answer(KeyFullName); !ok || a.Kind != Short || !hasVisible(a.Text) {
		return fmt.Errorf("there is no full name")
	}
	var total int64
	for i, f := range s.Files {
		switch {
		case f.N != i+1:
			return fmt.Errorf("file %d is numbered %d", i+1, f.N)
		case !keyRE.MatchString(f.Question):
			return fmt.Errorf("file %d answers a question key that is not allowed", f.N)
		case f.Name != CleanFileName(f.Name):
			return fmt.Errorf("file %d has a name that is not allowed", f.N)
		case !mediaTypeRE.MatchString(f.MediaType):
			return fmt.Errorf("file %d has a media type that is not allowed", f.N)
		case f.Size < 0:
			return fmt.Errorf("file %d has a negative size", f.N)
		case f.Size > lim.MaxFileBytes:
			return fmt.Errorf("file %d is %s, more than %s: %w", f.N, human.Size(f.Size), human.Size(lim.MaxFileBytes), ErrTooLarge)
		case !hex64RE.MatchString(f.SHA256):
			return fmt.Errorf("file %d has no valid checksum", f.N)
		}
		total += f.Size
		if total > lim.MaxTotalBytes {
			return fmt.Errorf("the files add up to more than %s: %w", human.Size(lim.MaxTotalBytes), ErrTooLarge)
		}
	}
	return nil
}

// checkAnswer checks one answer on its own: key, label, kind and a value
// of the shape its kind has, within bounds.
func checkAnswer(a *Answer) error {
	if !keyRE.MatchString(a.Key) {
		return fmt.Errorf("the question key is not allowed")
	}
	if err := textErr("the question's wording", a.Label, false, MaxLabelChars, true); err != nil {
		return err
	}
	if !a.Kind.Valid() || a.Kind == Upload {
		return fmt.Errorf("the kind %q is not a kind of answer", human.Truncate(string(a.Kind), 20))
	}
	switch a.Kind {
	case Names:
		if a.Text != "" || len(a.Dates) > 0 {
			return fmt.Errorf("a list of names has other values")
		}
		if len(a.List) > MaxNames {
			return fmt.Errorf("%d names, at most %d", len(a.List), MaxNames)
		}
		for _, n := range a.List {
			if err := textErr("a name", n, false, MaxNameChars, true); err != nil {
				return err
			}
		}
		return nil
	case Dates:
		if a.Text != "" || len(a.List) > 0 {
			return fmt.Errorf("a list of dates has other values")
		}
		if len(a.Dates) > KeyDateRows {
			return fmt.Errorf("%d dates, at most %d", len(a.Dates), KeyDateRows)
		}
		for _, d := range a.Dates {
			if !validDay(d.Date) {
				return fmt.Errorf("a date is not a real day written YYYY-MM-DD")
			}
			if t := checkText(d.What, false, MaxShortChars); t != textOK {
				return fmt.Errorf("what a date is for %s", t.phrase(MaxShortChars))
			}
		}
		return nil
	}
	if len(a.List) > 0 || len(a.Dates) > 0 {
		return fmt.Errorf("a one-value answer has a list")
	}
	if t := checkText(a.Text, a.Kind == Long, maxChars(a.Kind)); t != textOK {
		return fmt.Errorf("the answer %s", t.phrase(maxChars(a.Kind)))
	}
	switch a.Kind {
	case Date:
		if a.Text != "" && !validDay(a.Text) {
			return fmt.Errorf("the date is not a real day written YYYY-MM-DD")
		}
	case YesNo:
		if a.Text != "" && a.Text != "yes" && a.Text != "no" {
			return fmt.Errorf("a yes-or-no answer is neither")
		}
	}
	return nil
}

// textErr says what is wrong with text s called what, or nil.
func textErr(what, s string, multiline bool, max int, required bool) error {
	if t := checkText(s, multiline, max); t != textOK {
		return fmt.Errorf("%s %s", what, t.phrase(max))
	}
	if required && !hasVisible(s) {
		return fmt.Errorf("%s is empty", what)
	}
	return nil
}

// utcMillis is t in UTC to the millisecond, as a submission keeps it.
func utcMillis(t time.Time) time.Time { return t.UTC().Truncate(time.Millisecond) }
