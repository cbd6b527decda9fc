package human

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestParseDateReadsRealDays(t *testing.T) {
	for in, want := range map[string]time.Time{
		"1980-02-03":   time.Date(1980, 2, 3, 0, 0, 0, 0, time.Local),
		" 1980-02-29 ": time.Date(1980, 2, 29, 0, 0, 0, 0, time.Local),
		"2000-02-29":   time.Date(2000, 2, 29, 0, 0, 0, 0, time.Local),
		"0001-01-01":   time.Date(1, 1, 1, 0, 0, 0, 0, time.Local),
		"9999-12-31":   time.Date(9999, 12, 31, 0, 0, 0, 0, time.Local),
	} {
		got, err := ParseDate(in)
		if err != nil || !got.Equal(want) || got.Location() != time.Local {
			t.Errorf("ParseDate(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
}

func TestParseDateSaysWhatIsWrong(t *testing.T) {
	for _, c := range []struct {
		in, msg string
		kind    error
	}{
		{"1980-02-30", "1980-02-30 is not a real date: February 1980 has 29 days", ErrNotARealDate},
		{"1981-02-29", "1981-02-29 is not a real date: February 1981 has 28 days", ErrNotARealDate},
		{"1900-02-29", "1900-02-29 is not a real date: February 1900 has 28 days", ErrNotARealDate},
		{"2026-04-31", "2026-04-31 is not a real date: April 2026 has 30 days", ErrNotARealDate},
		{"1980-13-01", "1980-13-01 is not a real date: there is no month 13 (months go from 01 to 12)", ErrNotARealDate},
		{"1980-00-10", "1980-00-10 is not a real date: there is no month 00 (months go from 01 to 12)", ErrNotARealDate},
		{"1980-01-00", "1980-01-00 is not a real date: there is no day 00", ErrNotARealDate},
		{"0000-01-01", "0000-01-01 is not a real date: there is no year 0000", ErrNotARealDate},
		{"1980-2-3", "1980-2-3 is not a date: write it as YYYY-MM-DD, for example 1980-02-03", ErrNotADate},
		{"1980/12/3", "1980/12/3 is not a date: write it as YYYY-MM-DD, for example 1980-12-03", ErrNotADate},
		{"1980.2.30", "1980.2.30 is not a date: write it as YYYY-MM-DD, for example 1980-02-03", ErrNotADate},
		{"03/02/1980", "03/02/1980 is not a date: write it as YYYY-MM-DD, for example 1980-02-03", ErrNotADate},
		{"yesterday", "yesterday is not a date: write it as YYYY-MM-DD, for example 1980-02-03", ErrNotADate},
		{"", "no date was given: write it as YYYY-MM-DD, for example 1980-02-03", ErrNotADate},
		{"  ", "no date was given: write it as YYYY-MM-DD, for example 1980-02-03", ErrNotADate},
		{"1980-02-03T00:00", "“1980-02-03T00:00” is not a date: write it as YYYY-MM-DD, for example 1980-02-03", ErrNotADate},
		{"１９８０-02-03", "“１９８０-02-03” is not a date: write it as YYYY-MM-DD, for example 1980-02-03", ErrNotADate},
		{"19800-02-03", "19800-02-03 is not a date: write it as YYYY-MM-DD, for example 1980-02-03", ErrNotADate},
		{"1980-02-03\n", "", nil}, // trimmed: a real date
	} {
		_, err := ParseDate(c.in)
		if c.kind == nil {
			if err != nil {
				t.Errorf("ParseDate(%q): %v", c.in, err)
			}
			continue
		}
		var de *DateError
		if err == nil || err.Error() != c.msg || !errors.Is(err, c.kind) || !errors.As(err, &de) {
			t.Errorf("ParseDate(%q) = %v\nwant   %s (%v)", c.in, err, c.msg, c.kind)
		}
	}
}

func TestParseDateNeverEchoesControlsOrFloods(t *testing.T) {
	for _, in := range []string{"\x1b[31m1980-02-03", "1980\u202e-02-03", strings.Repeat("9", 10_000), "[1980-02-03]"} {
		_, err := ParseDate(in)
		if err == nil || !errors.Is(err, ErrNotADate) {
			t.Fatalf("ParseDate(%q) = %v, want ErrNotADate", in, err)
		}
		msg := err.Error()
		if strings.ContainsAny(msg, "\x1b\u202e") || len(msg) > 200 {
			t.Errorf("ParseDate(%.40q): message %q shows a control character or is too long", in, msg)
		}
	}
}
