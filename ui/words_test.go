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
