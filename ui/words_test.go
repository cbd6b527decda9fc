package ui

import (
	"testing"
	"time"
)

// Long waits read in words, not "about 1.5 hours left".
func TestTimeLeftInHours(t *testing.T) {
	for _, c := range []struct {
		f       float64
		elapsed time.Duration
		want    string
	}{
		{0.25, time.Hour, "about 3 hours left"},
		{0.4, time.Hour, "about 1 hour 30 minutes left"},
	} {
		if got := timeLeft(c.f, c.elapsed); got != c.want {
			t.Errorf("timeLeft(%v, %v) = %q, want %q", c.f, c.elapsed, got, c.want)
		}
	}
}

// The report dialog's dates say what is wrong with them, in human.ParseDate's words.
func TestReportDatesSayWhatIsWrong(t *testing.T) {
	for in, want := range map[string]string{
		"2026-02-30": "“From”: 2026-02-30 is not a real date: February 2026 has 28 days",
		"2026-2-3":   "“From”: 2026-2-3 is not a date: write it as YYYY-MM-DD, for example 2026-02-03",
	} {
		if _, err := parseDay("from", in); err == nil || err.Error() != want {
			t.Errorf("parseDay(%q) = %v, want %s", in, err, want)
		}
	}
	if d, err := parseDay("to", " 2026-03-14 "); err != nil || d.Day() != 14 || d.Location() != time.Local {
		t.Errorf("parseDay: %v, %v", d, err)
	}
	if d, err := parseDay("to", ""); err != nil || !d.IsZero() {
		t.Errorf("an empty date is no limit: %v, %v", d, err)
	}
}
