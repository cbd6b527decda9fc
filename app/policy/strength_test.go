package policy

import (
	"strings"
	"testing"
	"time"
)

func TestStrength(t *testing.T) {
	tests := []struct {
		pass     string
		min, max int
	}{
		{"", 0, 0},
		{"a", 0, 0},
		{"password", 0, 0},
		{"Password1234", 0, 1},
		{"password123456!", 0, 1},
		{"aaaaaaaaaaaa", 0, 0},
		{"abcdefghijkl", 0, 0},
		{"123456789012", 0, 1},
		{"qwertyuiopas", 0, 1},
		{"jdoe19751403xx", 0, 1}, // contains the name: rejected, so at most weak
		{"Tr0ub4dor&3", 0, 1},    // too short: rejected
		{"zxcvbnm,./zxcvbnm", 0, 1},
		{"monkeydragon", 0, 2},
		{"correct horse battery staple", 4, 4},
		{"My cat eats 3 mice a day!", 4, 4},
		{"7!kP#q2Lx9@vM4$z", 4, 4},
		{"ßüöäéèàçñ日本語の文章です", 4, 4},
	}
	for _, tt := range tests {
		score, label := Strength([]byte(tt.pass), "jdoe", "Jane Doe")
		if score < tt.min || score > tt.max {
			r := Evaluate([]byte(tt.pass), "jdoe", "Jane Doe")
			t.Errorf("Strength(%q) = %d %q (10^%.1f guesses), want %d..%d", tt.pass, score, label, r.GuessesLog10, tt.min, tt.max)
		}
		if label != labels[score] {
			t.Errorf("Strength(%q) label %q for score %d", tt.pass, label, score)
		}
	}
}

func TestStrengthLabels(t *testing.T) {
	want := []string{"very weak", "weak", "fair", "strong", "very strong"}
	for i, w := range want {
		if labels[i] != w {
			t.Errorf("labels[%d] = %q, want %q", i, labels[i], w)
		}
	}
}

func TestStrengthPatternsCostLessThanRandom(t *testing.T) {
	lg := func(s string, names ...string) float64 { return Evaluate([]byte(s), names...).GuessesLog10 }
	pairs := []struct{ weak, strong string }{
		{"passwordpassword", "kq7vzxm2hp4wtbrn"},
		{"sunshine2024", "snxhiue2q24u"},
		{"qwertyuiop12", "qmwpentyr1o2"},
		{"1975-03-14abc", "1b7c95a-0314-"},
		{"Janedoeknows", "Jqnzdoeknxws"},
		{"p@ssw0rdp@ss", "p@sxw0rqp@zs"},
		{"drowssapdrowssap", "drowsqapdrxwssap"},
	}
	for _, p := range pairs {
		w, s := lg(p.weak, "Jane Doe"), lg(p.strong, "Jane Doe")
		if w >= s {
			t.Errorf("%q (10^%.1f) should need fewer guesses than %q (10^%.1f)", p.weak, w, p.strong, s)
		}
	}
	if a, b := lg("janedoerules12"), lg("janedoerules12", "Jane Doe"); a <= b {
		t.Errorf("naming the user should lower the estimate: %.1f vs %.1f", a, b)
	}
}

func TestScoreFor(t *testing.T) {
	for _, tt := range []struct {
		lg   float64
		want int
	}{{0, 0}, {2.9, 0}, {3.5, 1}, {6.5, 2}, {8.5, 3}, {10.5, 4}, {100, 4}} {
		if got := scoreFor(tt.lg); got != tt.want {
			t.Errorf("scoreFor(%v) = %d, want %d", tt.lg, got, tt.want)
		}
	}
}

func TestStrengthIsFastOnLongInput(t *testing.T) {
	long := []byte(strings.Repeat("correct horse battery staple 1975-03-14 ", 250)) // 10,000 bytes
	start := time.Now()
	Strength(long, "jdoe")
	Check(long, "jdoe")
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Strength+Check took %v on 10 kB", d)
	}
}

func BenchmarkStrength(b *testing.B) {
	pass := []byte("My cat eats 3 mice a day! 1975-03-14 Qwerty")
	for b.Loop() {
		Strength(pass, "jdoe", "Jane Doe")
	}
}

func BenchmarkCheck(b *testing.B) {
	pass := []byte("My cat eats 3 mice a day! 1975-03-14 Qwerty")
	for b.Loop() {
		Check(pass, "jdoe", "Jane Doe")
	}
}
