package human

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Date errors, for callers that must tell them apart (errors.Is). The
// message of the error ParseDate returns says more, in a lawyer's words.
var (
	// ErrNotADate: the text is not written as YYYY-MM-DD ("1980-2-3",
	// "03/02/1980", "yesterday", "").
	ErrNotADate = errors.New("not a date written as YYYY-MM-DD")
	// ErrNotARealDate: written as YYYY-MM-DD, but no such day exists
	// ("1980-02-30", "1981-02-29", "1980-13-01").
	ErrNotARealDate = errors.New("not a real date")
)

// DateError is the error ParseDate returns: Input is what was typed,
// Kind is ErrNotADate or ErrNotARealDate.
type DateError struct {
	Input string
	Kind  error
	msg   string
}

func (e *DateError) Error() string { return e.msg }
func (e *DateError) Unwrap() error { return e.Kind }

var (
	dateRE = regexp.MustCompile(`^([0-9]{4})-([0-9]{2})-([0-9]{2})$`)
	// Year first with one- or two-digit month and day, any usual
	// separator: unambiguous, so the message can show the right way to
	// write it. Day-first and month-first forms (03/02/1980) are not
	// guessed at: they mean different days in different countries.
	looseDateRE = regexp.MustCompile(`^([0-9]{4})[-/. ]([0-9]{1,2})[-/. ]([0-9]{1,2})$`)
)

// exampleDate is the day shown in messages when the input gives nothing better.
const exampleDate = "1980-02-03"

// ParseDate reads a day written YYYY-MM-DD (white space around it is
// ignored) and returns its midnight in local time. A day that does not
// exist ("1980-02-30") and text written another way ("1980-2-3") are
// *DateError values whose messages say what is wrong and how to write it:
//
//	1980-02-30 is not a real date: February 1980 has 29 days
//	1980-2-3 is not a date: write it as YYYY-MM-DD, for example 1980-02-03
func ParseDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	m := dateRE.FindStringSubmatch(s)
	if m == nil {
		return time.Time{}, notADate(s)
	}
	y, _ := strconv.Atoi(m[1])
	mo, _ := strconv.Atoi(m[2])
	d, _ := strconv.Atoi(m[3])
	if reason := impossible(y, mo, d); reason != "" {
		return time.Time{}, &DateError{Input: s, Kind: ErrNotARealDate, msg: s + " is not a real date: " + reason}
	}
	return time.Date(y, time.Month(mo), d, 0, 0, 0, 0, time.Local), nil
}

// impossible says why year y, month mo, day d is no day of the calendar,
// or "" when it is one.
func impossible(y, mo, d int) string {
	switch {
	case y == 0:
		return "there is no year 0000"
	case mo < 1 || mo > 12:
		return fmt.Sprintf("there is no month %02d (months go from 01 to 12)", mo)
	case d < 1:
		return "there is no day 00"
	}
	if last := daysIn(y, time.Month(mo)); d > last {
		return fmt.Sprintf("%s %d has %d days", time.Month(mo), y, last)
	}
	return ""
}

func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

func notADate(s string) *DateError {
	if s == "" {
		return &DateError{Input: s, Kind: ErrNotADate,
			msg: "no date was given: write it as YYYY-MM-DD, for example " + exampleDate}
	}
	example := exampleDate
	if m := looseDateRE.FindStringSubmatch(s); m != nil {
		y, _ := strconv.Atoi(m[1])
		mo, _ := strconv.Atoi(m[2])
		d, _ := strconv.Atoi(m[3])
		if impossible(y, mo, d) == "" {
			example = fmt.Sprintf("%04d-%02d-%02d", y, mo, d)
		}
	}
	return &DateError{Input: s, Kind: ErrNotADate,
		msg: showInput(s) + " is not a date: write it as YYYY-MM-DD, for example " + example}
}

// plainInput is what a message can show as it is; anything else is quoted,
// cut to a length and escaped (it may hold terminal escape codes).
var plainInput = regexp.MustCompile(`^[0-9A-Za-z./-]{1,24}$`)

func showInput(s string) string {
	if plainInput.MatchString(s) {
		return s
	}
	return "“" + Escape(Truncate(s, 24)) + "”"
}
