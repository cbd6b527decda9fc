package form

import (
	"fmt"
	"net/mail"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"casevault/app/human"
)

// FieldErrors maps a question key (or "consent", "files", "area") to the
// message shown beside that field, in plain words for the person filling
// in the form.
type FieldErrors map[string]string

// The form's field names besides the questions' keys.
const (
	FieldConsent = "consent" // the consent box: value "yes" when ticked
	FieldArea    = "area"    // the practice area, when the person chose it
	FieldFiles   = "files"   // errors about the uploads as a whole
)

// DateRowField is the name of the what (part "what") or date (part "date")
// field of row n (1…KeyDateRows) of a dates question: "key_dates.2.date".
func DateRowField(key string, n int, part string) string {
	return key + "." + strconv.Itoa(n) + "." + part
}

// now is the clock of Parse's "in the future" check; tests replace it.
var now = time.Now

// Messages shown beside a field.
const (
	msgRequired     = "Please answer this question."
	msgNameRequired = "Please enter your full legal name."
	msgTwice        = "This was sent more than once. Please fill it in once."
	msgNotText      = "This has characters that cannot be read. Please type it again."
	msgControl      = "This has an invisible control character. Please type it again."
	msgDirection    = "This has an invisible character that changes the direction of the text. Please type it again."
	msgLineBreak    = "Please keep this to one line."
	msgConsent      = "Please tick the box to agree to the privacy notice. We cannot receive your answers without it."
	msgYesNo        = "Please choose yes or no."
	msgChoice       = "Please choose one of the options."
	msgEmail        = "Please enter an e-mail address like name@example.com."
	msgPhone        = "Please enter a phone number using digits, for example +1 555 010 0199."
	msgArea         = "Please choose what your question is about."
)

// dateExample is the day the date messages show.
const dateExample = "2026-03-04"

// Parse reads the text fields of a posted form for practice area area:
// every question the area asks except file questions (the server streams
// the files). It returns the answers in the order asked (unanswered ones
// left out), whether the consent box was ticked, and a message for each
// field that is wrong; the answers are only to be kept when there are no
// messages. Fields the area does not ask are ignored.
//
// Text is refused (with a message, never silently changed) when it is not
// UTF-8, has a control character (line breaks are allowed in long text and
// lists only), a direction override, or is over its length; spaces and
// invisible characters around a value are trimmed, and Windows line ends
// become plain ones.
func Parse(c *Config, area string, values url.Values) ([]Answer, bool, FieldErrors) {
	errs := FieldErrors{}
	consent := false
	switch v := values[FieldConsent]; {
	case len(v) == 1 && v[0] == "yes":
		consent = true
	case len(v) > 1:
		errs[FieldConsent] = msgTwice
	default:
		errs[FieldConsent] = msgConsent
	}
	a, ok := c.Area(area)
	if !ok {
		errs[FieldArea] = msgArea
		return nil, consent, errs
	}
	var answers []Answer
	for _, q := range c.AreaQuestions(a) {
		if q.Kind == Upload {
			continue
		}
		ans := Answer{Key: q.Key, Label: q.Label, Kind: q.Kind}
		var msg string
		switch q.Kind {
		case Dates:
			ans.Dates, msg = parseDates(q.Key, values)
		case Names:
			var raw string
			if raw, msg = one(values, q.Key); msg == "" {
				ans.List, msg = parseNames(raw)
			}
		default:
			var raw string
			if raw, msg = one(values, q.Key); msg == "" {
				ans.Text, msg = parseValue(&q, raw)
			}
		}
		if msg == "" && ans.Empty() && a.IsRequired(q.Key) {
			msg = msgRequired
			if q.Key == KeyFullName {
				msg = msgNameRequired
			}
		}
		if msg != "" {
			errs[q.Key] = msg
			continue
		}
		if !ans.Empty() {
			answers = append(answers, ans)
		}
	}
	if len(errs) == 0 {
		return answers, consent, nil
	}
	return answers, consent, errs
}

// one returns the single value of field key ("" when absent).
func one(values url.Values, key string) (string, string) {
	v := values[key]
	switch len(v) {
	case 0:
		return "", ""
	case 1:
		return v[0], ""
	}
	return "", msgTwice
}

// textMessage is the message for a text issue, "" for none.
func textMessage(t textIssue, max int) string {
	switch t {
	case textNotUTF8:
		return msgNotText
	case textControl:
		return msgControl
	case textLineBreak:
		return msgLineBreak
	case textDirection:
		return msgDirection
	case textTooLong:
		return fmt.Sprintf("Please shorten this to at most %s.", human.Count(max, "character", "characters"))
	}
	return ""
}

// clean checks raw text and returns it trimmed: one line, or several
// (Windows and old Mac line ends become \n, and so do the Unicode line
// separators).
func clean(raw string, multiline bool, max int) (string, string) {
	if !utf8.ValidString(raw) {
		return "", msgNotText
	}
	if multiline {
		raw = human.NormalizeLines(raw)
	}
	// Check before trimming, so a control character at an end is refused,
	// not dropped without a word; then trim and check the length.
	if t := checkText(raw, multiline, 0); t != textOK {
		return "", textMessage(t, max)
	}
	s := human.TrimInvisible(raw)
	if multiline {
		lines := strings.Split(s, "\n")
		for i, l := range lines {
			lines[i] = strings.TrimRight(l, " \t")
		}
		s = strings.Join(lines, "\n")
	}
	if chars(s) > max {
		return "", textMessage(textTooLong, max)
	}
	if !human.HasVisible(s) {
		return "", ""
	}
	return s, ""
}

var (
	// An e-mail address as people write one: something@domain.tld, no
	// spaces, no second @. Not RFC 5322: quoted local parts are refused.
	emailRE = regexp.MustCompile(`^[^\s@"<>(),;:\\\[\]]+@[^\s@"<>(),;:\\\[\]_]+\.[^\s@"<>(),;:\\\[\]_.]{2,}$`)
	// A phone number: digits with the usual separators and an optional +
	// at the start; what the app accepts for a client's phone number.
	phoneRE = regexp.MustCompile(`^\+?[0-9 ()./-]{5,30}$`)
)

func parseValue(q *Question, raw string) (string, string) {
	s, msg := clean(raw, q.Kind == Long, maxChars(q.Kind))
	if msg != "" || s == "" {
		return "", msg
	}
	switch q.Kind {
	case Date:
		return parseDate(q.Key, s)
	case YesNo:
		if s != "yes" && s != "no" {
			return "", msgYesNo
		}
	case Choice:
		for _, ch := range q.Choices {
			if s == ch {
				return s, ""
			}
		}
		return "", msgChoice
	case Email:
		// The shape, and what the app accepts for a client's address.
		if a, err := mail.ParseAddress(s); err != nil || a.Address != s || !emailRE.MatchString(s) || strings.Contains(s, "..") {
			return "", msgEmail
		}
	case Phone:
		digits := 0
		for _, r := range s {
			if r >= '0' && r <= '9' {
				digits++
			}
		}
		if !phoneRE.MatchString(s) || digits < 5 || digits > 20 {
			return "", msgPhone
		}
	}
	return s, ""
}

// parseDate reads a day written YYYY-MM-DD. A date of birth may not be in
// the future or more than 130 years ago.
func parseDate(key, s string) (string, string) {
	t, err := human.ParseDate(s)
	if err != nil || !isoDateRE.MatchString(s) {
		if m := looseDay(s); m != "" {
			return "", "Please enter the date as YYYY-MM-DD, for example " + m + "."
		}
		if err != nil && strings.Contains(err.Error(), "is not a real date:") {
			_, why, _ := strings.Cut(err.Error(), "is not a real date: ")
			return "", "This is not a real date: " + why + "."
		}
		return "", "Please enter a date like " + dateExample + " (year, month, day)."
	}
	if key == KeyDateOfBirth {
		today := now()
		if t.After(today) {
			return "", "This date is in the future."
		}
		if t.Year() < today.Year()-130 {
			return "", "This date is more than 130 years ago. Please check the year."
		}
	}
	return s, ""
}

var looseDayRE = regexp.MustCompile(`^([0-9]{4})[-/. ]([0-9]{1,2})[-/. ]([0-9]{1,2})$`)

// looseDay rewrites an unambiguous year-first day ("2026-3-4") the right
// way ("2026-03-04"), or returns "".
func looseDay(s string) string {
	m := looseDayRE.FindStringSubmatch(s)
	if m == nil {
		return ""
	}
	y, _ := strconv.Atoi(m[1])
	mo, _ := strconv.Atoi(m[2])
	d, _ := strconv.Atoi(m[3])
	day := fmt.Sprintf("%04d-%02d-%02d", y, mo, d)
	if day == s || !validDay(day) {
		return ""
	}
	return day
}

// parseNames reads names, one per line; blank lines are skipped.
func parseNames(raw string) ([]string, string) {
	if !utf8.ValidString(raw) {
		return nil, msgNotText
	}
	// Far more than the most names allowed could take (4 bytes a character,
	// blank lines and spaces aside): refused before splitting it up.
	if len(raw) > 8*MaxNames*(MaxNameChars+2) {
		return nil, fmt.Sprintf("Please list at most %s, one per line.", human.Count(MaxNames, "name", "names"))
	}
	raw = human.NormalizeLines(raw)
	if t := checkText(raw, true, 0); t != textOK {
		return nil, textMessage(t, 0)
	}
	if strings.Contains(raw, "\t") {
		raw = strings.ReplaceAll(raw, "\t", " ")
	}
	var names []string
	for _, line := range strings.Split(raw, "\n") {
		n := human.TrimInvisible(line)
		if !human.HasVisible(n) {
			continue
		}
		if chars(n) > MaxNameChars {
			return nil, fmt.Sprintf("Please shorten each name to at most %s.", human.Count(MaxNameChars, "character", "characters"))
		}
		names = append(names, n)
		if len(names) > MaxNames {
			return nil, fmt.Sprintf("Please list at most %s, one per line.", human.Count(MaxNames, "name", "names"))
		}
	}
	return names, ""
}

// parseDates reads the fixed rows of a dates question. A row with neither
// part filled in is skipped; a row with one part only is an error.
func parseDates(key string, values url.Values) ([]KeyDate, string) {
	var out []KeyDate
	for n := 1; n <= KeyDateRows; n++ {
		what, msg := one(values, DateRowField(key, n, "what"))
		if msg != "" {
			return nil, msg
		}
		day, msg := one(values, DateRowField(key, n, "date"))
		if msg != "" {
			return nil, msg
		}
		what, msg = clean(what, false, MaxShortChars)
		if msg != "" {
			return nil, fmt.Sprintf("Line %d, what happened: %s", n, lowerFirst(msg))
		}
		day, msg = clean(day, false, MaxShortChars)
		if msg != "" {
			return nil, fmt.Sprintf("Line %d, the date: %s", n, lowerFirst(msg))
		}
		switch {
		case what == "" && day == "":
			continue
		case day == "":
			return nil, fmt.Sprintf("Line %d: please enter the date of “%s”.", n, human.Truncate(what, 40))
		case what == "":
			return nil, fmt.Sprintf("Line %d: please say what happened on %s.", n, human.Truncate(day, 12))
		}
		if day, msg = parseDate(key, day); msg != "" {
			return nil, fmt.Sprintf("Line %d: %s", n, lowerFirst(msg))
		}
		out = append(out, KeyDate{What: what, Date: day})
	}
	return out, ""
}

func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return strings.ToLower(string(r)) + s[n:]
}
