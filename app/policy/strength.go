package policy

import (
	"math"
	"slices"
	"time"
	"unicode"
)

// The strength estimate follows the method of zxcvbn (Wheeler, USENIX
// Security 2016), written small: the passphrase is covered by the sequence of
// pieces that an attacker would guess with the fewest guesses (common
// passwords by rank, the user's names, repeats, sequences and keyboard runs,
// years and dates, and brute force for the rest), and the score is read off
// the number of guesses. Everything is computed in log10 so nothing
// overflows.

// Labels for the scores 0..4.
var labels = [5]string{"very weak", "weak", "fair", "strong", "very strong"}

// maxEstimateRunes bounds the work per call (the meter runs on every key
// press). Characters beyond it are not counted, which only makes the
// estimate more cautious.
const maxEstimateRunes = 64

// Result is a strength estimate.
type Result struct {
	// Score is 0 (very weak) to 4 (very strong). A passphrase that Check
	// rejects never scores more than 1.
	Score int
	// Label is a short description of Score for a strength meter:
	// "very weak", "weak", "fair", "strong" or "very strong".
	Label string
	// GuessesLog10 is the estimated number of guesses an attacker needs,
	// as a power of ten (10.3 means about 2 x 10^10 guesses).
	GuessesLog10 float64
}

// Strength returns a 0..4 score and a short label ("very weak" ..
// "very strong") for a live strength meter. Use Evaluate for the estimated
// number of guesses as well.
func Strength(pass []byte, names ...string) (score int, label string) {
	r := Evaluate(pass, names...)
	return r.Score, r.Label
}

// Evaluate estimates the strength of pass. names are as for Check.
func Evaluate(pass []byte, names ...string) Result {
	p := prepare(pass)
	defer p.wipe()

	n := min(len(p.low), maxEstimateRunes)
	e := estimator{p: p, orig: p.orig[:n], low: p.low[:n], names: namesForMatching(names)}
	lg := e.guessesLog10(true)

	score := scoreFor(lg)
	if score > 1 && len(Check(pass, names...)) > 0 {
		score = 1
	}
	return Result{Score: score, Label: labels[score], GuessesLog10: lg}
}

// scoreFor maps log10(guesses) to a score with zxcvbn's thresholds:
// fewer than 10^3, 10^6, 10^8, 10^10 guesses score 0, 1, 2, 3; more score 4.
func scoreFor(lg float64) int {
	const delta = 5
	switch {
	case lg < math.Log10(1e3+delta):
		return 0
	case lg < math.Log10(1e6+delta):
		return 1
	case lg < math.Log10(1e8+delta):
		return 2
	case lg < math.Log10(1e10+delta):
		return 3
	}
	return 4
}

func namesForMatching(names []string) [][]rune {
	out := [][]rune{[]rune(appName)}
	for _, n := range names {
		out = append(out, nameParts(n)...)
	}
	return out
}

type kind uint8

const (
	kindBruteforce kind = iota
	kindDictionary
	kindName
	kindRepeat
	kindSequence
	kindKeyboard
	kindYear
	kindDate
)

// match is a piece low[i..j] (inclusive) and the log10 of the guesses to
// find it on its own.
type match struct {
	i, j int
	lg   float64
	kind kind
}

type estimator struct {
	p     *prepared
	orig  []rune
	low   []rune
	names [][]rune
}

// guessesLog10 returns log10 of the guesses for all of e.low.
// withRepeats is false when estimating the base of a repeat.
func (e *estimator) guessesLog10(withRepeats bool) float64 {
	n := len(e.low)
	if n == 0 {
		return 0
	}
	byEnd := make([][]match, n)
	add := func(m match) { byEnd[m.j] = append(byEnd[m.j], m) }
	e.dictionaryMatches(add)
	e.nameMatches(add)
	if withRepeats {
		e.repeatMatches(add)
	}
	e.sequenceMatches(add)
	e.keyboardMatches(add)
	e.dateMatches(add)
	return mostGuessable(n, byEnd)
}

// entry is the best way found to cover low[0..k] with l pieces.
type entry struct {
	ok   bool
	last kind    // kind of the last piece
	pi   float64 // log10 of the product of the pieces' guesses
	g    float64 // log10 of l! * product + 10^(4(l-1))
}

// mostGuessable is zxcvbn's most_guessable_match_sequence: dynamic
// programming over the end position k and the number of pieces l.
func mostGuessable(n int, byEnd [][]match) float64 {
	best := make([][]entry, n)
	for k := range best {
		best[k] = make([]entry, n+2)
	}
	minLog := func(m match) float64 {
		lg := m.lg
		if m.j-m.i+1 < n { // a piece shorter than the whole must not be too cheap
			floor := math.Log10(50)
			if m.i == m.j {
				floor = 1
			}
			lg = math.Max(lg, floor)
		}
		return lg
	}
	update := func(m match, l int) {
		k := m.j
		pi := minLog(m)
		if l > 1 {
			prev := best[m.i-1][l-1]
			if !prev.ok {
				return
			}
			pi += prev.pi
		}
		g := logAdd(logFactorial(l)+pi, 4*float64(l-1))
		for cl := 1; cl <= l; cl++ {
			if c := best[k][cl]; c.ok && c.g <= g {
				return
			}
		}
		best[k][l] = entry{ok: true, last: m.kind, pi: pi, g: g}
	}
	bruteforce := func(i, j int) match {
		length := float64(j - i + 1)
		floor := math.Log10(51)
		if i == j {
			floor = math.Log10(11)
		}
		return match{i: i, j: j, lg: math.Max(length, floor), kind: kindBruteforce}
	}
	for k := 0; k < n; k++ {
		for _, m := range byEnd[k] {
			if m.i == 0 {
				update(m, 1)
				continue
			}
			for l := 1; l <= m.i; l++ {
				if best[m.i-1][l].ok {
					update(m, l+1)
				}
			}
		}
		update(bruteforce(0, k), 1)
		for i := 1; i <= k; i++ {
			m := bruteforce(i, k)
			for l := 1; l <= i; l++ {
				if last := best[i-1][l]; last.ok && last.last != kindBruteforce {
					update(m, l+1)
				}
			}
		}
	}
	g := math.Inf(1)
	for _, c := range best[n-1] {
		if c.ok && c.g < g {
			g = c.g
		}
	}
	return g
}

// logAdd returns log10(10^a + 10^b).
func logAdd(a, b float64) float64 {
	if a < b {
		a, b = b, a
	}
	return a + math.Log10(1+math.Pow(10, b-a))
}

func logFactorial(n int) float64 {
	v, _ := math.Lgamma(float64(n) + 1)
	return v / math.Ln10
}

// logBinomialSum returns log10(sum_{i=1..min(a,b)} C(a+b, i)), or log10(2)
// when a or b is 0: zxcvbn's count of case (or l33t) variations.
func logBinomialSum(a, b int) float64 {
	if a == 0 || b == 0 {
		return math.Log10(2)
	}
	sum := 0.0
	for i := 1; i <= min(a, b); i++ {
		sum += binomial(a+b, i)
	}
	return math.Log10(sum)
}

func binomial(n, k int) float64 {
	if k < 0 || k > n {
		return 0
	}
	r := 1.0
	for i := 1; i <= k; i++ {
		r = r * float64(n-k+i) / float64(i)
	}
	return r
}

// upperVariations is log10 of the ways to capitalise word as it is: 0 when
// it is all lower case, log10(2) for a capital first or last letter or all
// capitals, more for mixed case.
func upperVariations(word []rune) float64 {
	upper, lower := 0, 0
	for _, r := range word {
		switch {
		case unicode.IsUpper(r):
			upper++
		case unicode.IsLower(r):
			lower++
		}
	}
	if upper == 0 {
		return 0
	}
	if lower == 0 ||
		(upper == 1 && (unicode.IsUpper(word[0]) || unicode.IsUpper(word[len(word)-1]))) {
		return math.Log10(2)
	}
	return logBinomialSum(upper, lower)
}

func (e *estimator) dictionaryMatches(add func(match)) {
	_, maxLen := commonList()
	n := len(e.low)
	rev := e.p.newRunes(maxLen)
	unl := e.p.newRunes(maxLen)
	for i := 0; i < n; i++ {
		for j := i; j < n && j-i < maxLen; j++ {
			word := e.low[i : j+1]
			uv := upperVariations(e.orig[i : j+1])
			if r := e.p.rank(word); r > 0 {
				add(match{i: i, j: j, lg: math.Log10(float64(r)) + uv, kind: kindDictionary})
			}
			if len(word) > 1 {
				rev = rev[:0]
				for k := len(word) - 1; k >= 0; k-- {
					rev = append(rev, word[k])
				}
				if !slices.Equal(rev, word) {
					if r := e.p.rank(rev); r > 0 {
						add(match{i: i, j: j, lg: math.Log10(float64(r)) + uv + math.Log10(2), kind: kindDictionary})
					}
				}
			}
			for v := range leetVariants {
				u, changed := unleetInto(unl, word, v)
				if !changed {
					continue
				}
				if r := e.p.rank(u); r > 0 {
					add(match{i: i, j: j, lg: math.Log10(float64(r)) + uv + leetVariations(word, v), kind: kindDictionary})
				}
			}
		}
	}
}

// leetVariations is log10 of the ways to l33t-spell word's letters as in word.
func leetVariations(word []rune, v int) float64 {
	lg := 0.0
	seen := map[rune]bool{}
	for _, c := range word {
		letter, ok := leetVariants[v][c]
		if !ok || seen[c] {
			continue
		}
		seen[c] = true
		subbed, unsubbed := 0, 0
		for _, d := range word {
			switch d {
			case c:
				subbed++
			case letter:
				unsubbed++
			}
		}
		lg += logBinomialSum(subbed, unsubbed)
	}
	return lg
}

func (e *estimator) nameMatches(add func(match)) {
	for _, name := range e.names {
		for i := 0; i+len(name) <= len(e.low); i++ {
			if slices.Equal(e.low[i:i+len(name)], name) {
				j := i + len(name) - 1
				add(match{i: i, j: j, lg: upperVariations(e.orig[i : j+1]), kind: kindName})
			}
		}
	}
}

// maxRepeatBase is the longest repeated group looked for by the estimator.
const maxRepeatBase = 8

func (e *estimator) repeatMatches(add func(match)) {
	n := len(e.low)
	for i := 0; i < n; {
		bestLen, bestUnit := 0, 0
		for unit := 1; unit <= maxRepeatBase && i+2*unit <= n; unit++ {
			end := i + unit
			for end < n && e.low[end] == e.low[end-unit] {
				end++
			}
			reps := (end - i) / unit
			if reps >= 2 && reps*unit > bestLen {
				bestLen, bestUnit = reps*unit, unit
			}
		}
		if bestLen == 0 {
			i++
			continue
		}
		base := estimator{p: e.p, orig: e.orig[i : i+bestUnit], low: e.low[i : i+bestUnit], names: e.names}
		baseLg := base.guessesLog10(false)
		reps := bestLen / bestUnit
		add(match{i: i, j: i + bestLen - 1, lg: baseLg + math.Log10(float64(reps)), kind: kindRepeat})
		i += bestLen
	}
}

// sequenceMatches finds runs of code points with a constant step of 1..5
// ("abcd", "2468", "zyx").
func (e *estimator) sequenceMatches(add func(match)) {
	n := len(e.low)
	emit := func(i, j int, delta rune) {
		if j-i+1 < 3 {
			return
		}
		first := e.low[i]
		var base float64
		switch {
		case first == 'a' || first == 'z' || first == '0' || first == '1' || first == '9':
			base = 4
		case unicode.IsDigit(first):
			base = 10
		default:
			base = 26
		}
		if delta < 0 {
			base *= 2
		}
		add(match{i: i, j: j, lg: math.Log10(base*float64(j-i+1)) + upperVariations(e.orig[i:j+1]), kind: kindSequence})
	}
	for i := 0; i+2 < n; {
		d := e.low[i+1] - e.low[i]
		if d == 0 || d > 5 || d < -5 {
			i++
			continue
		}
		j := i + 1
		for j+1 < n && e.low[j+1]-e.low[j] == d {
			j++
		}
		emit(i, j, d)
		if j-i+1 >= 3 {
			i = j
		} else {
			i++
		}
	}
}

// keyboardMatches finds runs along the keyboard rows and columns and the
// cyclic sequences in policy.go ("qwerty", "1qaz2wsx", "7890123").
func (e *estimator) keyboardMatches(add func(match)) {
	n := len(e.low)
	starts := 0
	for _, s := range sequences {
		starts += len([]rune(s))
	}
	for si, idx := range sequenceIndexes() {
		sl := len([]rune(sequences[si]))
		for i := 0; i < n; {
			run := seqRun(e.low[i:], idx, sl)
			if run >= 3 {
				j := i + run - 1
				lg := math.Log10(float64(starts)*2*float64(run)) + upperVariations(e.orig[i:j+1])
				add(match{i: i, j: j, lg: lg, kind: kindKeyboard})
				i = j // the next run may start where this one turned
				continue
			}
			i++
		}
	}
}

func yearSpace(year int) float64 {
	return math.Max(math.Abs(float64(year-time.Now().Year())), 20)
}

// dateMatches finds years (1900..2099) and dates of 4 to 8 digits, with or
// without separators ("1990", "3/14/1975", "19751403").
func (e *estimator) dateMatches(add func(match)) {
	n := len(e.low)
	digitAt := func(k int) (int, bool) {
		c := e.low[k]
		if c >= '0' && c <= '9' {
			return int(c - '0'), true
		}
		return 0, false
	}
	// Years.
	for i := 0; i+4 <= n; i++ {
		y := 0
		ok := true
		for k := i; k < i+4 && ok; k++ {
			var d int
			d, ok = digitAt(k)
			y = y*10 + d
		}
		if ok && y >= 1900 && y <= 2099 {
			add(match{i: i, j: i + 3, lg: math.Log10(yearSpace(y)), kind: kindYear})
		}
	}
	// Dates without separators.
	splits := map[int][][2]int{
		4: {{1, 2}, {2, 3}},
		5: {{1, 3}, {2, 3}},
		6: {{1, 2}, {2, 4}, {4, 5}},
		7: {{1, 3}, {2, 3}, {4, 5}, {4, 6}},
		8: {{2, 4}, {4, 6}},
	}
	num := func(from, to int) (int, bool) {
		v := 0
		for k := from; k < to; k++ {
			d, ok := digitAt(k)
			if !ok {
				return 0, false
			}
			v = v*10 + d
		}
		return v, true
	}
	for i := 0; i < n; i++ {
		for length := 4; length <= 8 && i+length <= n; length++ {
			if _, ok := num(i, i+length); !ok {
				break
			}
			for _, s := range splits[length] {
				a, _ := num(i, i+s[0])
				b, _ := num(i+s[0], i+s[1])
				c, _ := num(i+s[1], i+length)
				if y, ok := dmyYear(a, b, c, s[0], length-s[1]); ok {
					add(match{i: i, j: i + length - 1, lg: math.Log10(365 * yearSpace(y)), kind: kindDate})
					break
				}
			}
		}
	}
	// Dates with one kind of separator: d{1,4} sep d{1,2} sep d{1,4}.
	isSep := func(c rune) bool { return c == ' ' || c == '-' || c == '/' || c == '\\' || c == '_' || c == '.' }
	for i := 0; i < n; i++ {
		var parts [3][2]int // start, end (exclusive) of each number
		k, part := i, 0
		var sep rune
		for part < 3 {
			start := k
			for k < n && k-start < 4 {
				if _, ok := digitAt(k); !ok {
					break
				}
				k++
			}
			if k == start {
				break
			}
			parts[part] = [2]int{start, k}
			part++
			if part == 3 {
				break
			}
			if k >= n || !isSep(e.low[k]) || (sep != 0 && e.low[k] != sep) {
				break
			}
			sep = e.low[k]
			k++
		}
		if part < 3 || parts[1][1]-parts[1][0] > 2 {
			continue
		}
		a, _ := num(parts[0][0], parts[0][1])
		b, _ := num(parts[1][0], parts[1][1])
		c, _ := num(parts[2][0], parts[2][1])
		if y, ok := dmyYear(a, b, c, parts[0][1]-parts[0][0], parts[2][1]-parts[2][0]); ok {
			add(match{i: i, j: parts[2][1] - 1, lg: math.Log10(365 * yearSpace(y) * 4), kind: kindDate})
		}
	}
}

// dmyYear reports whether a, b, c read as a date with the year first or
// last (aLen and cLen are the digit counts of a and c), and the year.
func dmyYear(a, b, c, aLen, cLen int) (int, bool) {
	year := func(v, digits int) (int, bool) {
		switch {
		case digits == 4 && v >= 1000 && v <= 2099:
			return v, true
		case digits == 2:
			if v > 50 {
				return 1900 + v, true
			}
			return 2000 + v, true
		}
		return 0, false
	}
	dm := func(x, y int) bool {
		return (x >= 1 && x <= 31 && y >= 1 && y <= 12) || (y >= 1 && y <= 31 && x >= 1 && x <= 12)
	}
	if y, ok := year(c, cLen); ok && aLen <= 2 && dm(a, b) {
		return y, true
	}
	if y, ok := year(a, aLen); ok && cLen <= 2 && dm(b, c) {
		return y, true
	}
	return 0, false
}
