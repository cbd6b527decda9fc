// Package human is casevault's one vocabulary for people: sizes, durations,
// times, counts with the right plural, text cut to a length without
// breaking a character, and text made safe to show on a terminal. The
// command line, the window and the reports all use it, so the same backup
// is "1.5 MB" everywhere. It is pure: no I/O, no state.
package human

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Size writes a number of bytes in decimal units, as file managers and
// drive labels do: "812 bytes", "1 byte", "4.2 KB", "15 MB", "1.5 GB".
// One decimal below 10, none above; a value that rounds up to 1000 moves
// to the next unit.
func Size(n int64) string {
	if n < 0 {
		return "-" + Size(-n)
	}
	if n < 1000 {
		return Count(int(n), "byte", "bytes")
	}
	units := []string{"KB", "MB", "GB", "TB", "PB", "EB"}
	v := float64(n) / 1000
	i := 0
	for v >= 1000 && i < len(units)-1 {
		v /= 1000
		i++
	}
	for {
		prec := 1
		if v >= 9.95 {
			prec = 0
		}
		s := fmt.Sprintf("%.*f", prec, v)
		if (s != "1000" && s != "1000.0") || i == len(units)-1 {
			return s + " " + units[i]
		}
		v /= 1000
		i++
	}
}

// Count writes n with the noun in the right number: "1 client",
// "0 clients", "2 clients".
func Count(n int, one, many string) string {
	if n == 1 || n == -1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}

// Of writes progress through a counted whole with the noun agreeing with
// the whole: "3 of 12 objects", "1 of 1 object", "0 of 2 objects".
func Of(n, total int, one, many string) string {
	return fmt.Sprintf("%d of %s", n, Count(total, one, many))
}

// Noun is one or many for n, without the number.
func Noun(n int, one, many string) string {
	if n == 1 || n == -1 {
		return one
	}
	return many
}

// Duration writes a span of time in words, in its two largest units and
// whole seconds: "less than a second", "45 seconds", "2 minutes 5
// seconds", "1 hour 3 minutes", "3 days 2 hours".
func Duration(d time.Duration) string {
	if d < 0 {
		d = -d
	}
	if d < time.Second {
		return "less than a second"
	}
	d = d.Round(time.Second)
	parts := []struct {
		unit      time.Duration
		one, many string
	}{{24 * time.Hour, "day", "days"}, {time.Hour, "hour", "hours"}, {time.Minute, "minute", "minutes"}, {time.Second, "second", "seconds"}}
	var out []string
	for i, p := range parts {
		if d < p.unit {
			if len(out) > 0 {
				break // "1 hour", not "1 hour 0 minutes 12 seconds"
			}
			continue
		}
		n := int(d / p.unit)
		d -= time.Duration(n) * p.unit
		out = append(out, Count(n, p.one, p.many))
		if len(out) == 2 || i == len(parts)-1 || d == 0 {
			break
		}
	}
	return strings.Join(out, " ")
}

// Time layouts: one for a moment, one with seconds for the audit trail,
// one for a day.
const (
	TimeLayout  = "2006-01-02 15:04"
	StampLayout = "2006-01-02 15:04:05"
	DateLayout  = "2006-01-02"
)

// Time writes a moment in local time: "2026-03-14 09:30"; "never" for the
// zero time.
func Time(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return t.Local().Format(TimeLayout)
}

// Stamp writes a moment to the second, for the audit trail:
// "2026-03-14 09:30:12"; "never" for the zero time.
func Stamp(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return t.Local().Format(StampLayout)
}

// Date writes a day: "2026-03-14"; "never" for the zero time.
func Date(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return t.Local().Format(DateLayout)
}

// Truncate cuts s to at most max characters, ending in "…" when it cut.
// It counts and cuts whole characters (runes), never bytes, and keeps
// combining marks with the letter they belong to. Invalid UTF-8 counts one
// character per bad byte and is kept as it is.
func Truncate(s string, max int) string {
	if max <= 0 {
		return ""
	}
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	cut, n := 0, 0
	for i := range s {
		if n == max-1 {
			cut = i
			break
		}
		n++
	}
	// Do not leave a combining mark without its letter: move the cut back
	// to the start of the last letter it would split.
	for cut > 0 {
		r, _ := utf8.DecodeRuneInString(s[cut:])
		if !unicode.IsMark(r) {
			break
		}
		_, size := utf8.DecodeLastRuneInString(s[:cut])
		cut -= size
	}
	return s[:cut] + "…"
}

// Capitalize upper-cases the first character of s (a whole rune, never a
// byte of one).
func Capitalize(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 || r == utf8.RuneError {
		return s
	}
	return strings.ToUpper(string(r)) + s[n:]
}

// Number writes a whole number with thousands separators: "10,000".
func Number(n int64) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
