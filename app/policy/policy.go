// Package policy decides whether a master passphrase is good enough for a
// casevault vault, and estimates its strength for a live meter.
//
// Check applies the rules (length, common passwords, the user's name, simple
// patterns) and explains each problem in plain words. Strength and Evaluate
// give a 0..4 score for a strength meter.
//
// The passphrase is secret: these functions never keep it, never log it and
// never put it in a Problem message. The copies they work on are slices that
// are zeroed before they return (Go strings cannot be wiped, so none holding
// the passphrase are made, apart from what the runtime does internally).
package policy

import (
	"bufio"
	"bytes"
	_ "embed"
	"fmt"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"casevault/app/human"
)

// MinLength is the least number of characters a passphrase must have.
// Characters are Unicode code points after NFC normalisation, so "é" is one
// character however it was typed.
const MinLength = 12

// Problem codes, for callers that want to react to a particular rule.
const (
	CodeTooShort        = "too_short"
	CodeCommon          = "common"
	CodeContainsName    = "contains_name"
	CodeContainsAppName = "contains_app_name"
	CodeRepeated        = "repeated"
	CodeSequence        = "sequence"
	CodeNotText         = "not_text"
)

// appName is always forbidden inside a passphrase.
const appName = "casevault"

// minNameLen: names (and parts of names) shorter than this are ignored.
const minNameLen = 3

// minPatternCore: a passphrase is also checked for patterns with its leading
// or trailing digits and symbols removed, when what is left has at least
// this many characters ("qwerty123456" -> "qwerty").
const minPatternCore = 6

// Problem is one reason a passphrase is not acceptable.
type Problem struct {
	// Code is one of the Code* constants.
	Code string
	// Message says, in plain words for a non-technical reader, what is wrong
	// and what to do about it.
	Message string
}

func (p Problem) String() string { return p.Message }

//go:embed common-passwords.txt
var commonPasswordsTxt []byte

// commonList maps each common password to its rank (1 = most common).
var commonList = sync.OnceValues(func() (map[string]int, int) {
	m := make(map[string]int, 10000)
	maxLen := 0
	rank := 0
	sc := bufio.NewScanner(bytes.NewReader(commonPasswordsTxt))
	for sc.Scan() {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		w := string(bytes.ToLower(line))
		if _, dup := m[w]; dup {
			continue
		}
		rank++
		m[w] = rank
		if n := utf8.RuneCountInString(w); n > maxLen {
			maxLen = n
		}
	}
	return m, maxLen
})

// Check returns nil when the passphrase is acceptable, or every problem
// found. names are words the passphrase must not contain, such as the user's
// login name and full name; "casevault" is always forbidden. Names, and the
// words of a name, shorter than 3 characters are ignored.
func Check(pass []byte, names ...string) []Problem {
	return CheckWith(pass, Rules{}, names...)
}

// Rules are a vault owner's additions to the fixed rules: a longer minimum,
// and character classes. The zero value is Check's rules.
type Rules struct {
	// MinLength is the least number of characters; 0 = MinLength. It may
	// not go below MinLengthFloor.
	MinLength int
	// MinClasses is how many of the four character classes (lower-case
	// letters, upper-case letters, digits, anything else) the passphrase
	// must use; 0 or 1 = no rule. NIST SP 800-63B advises against such
	// rules (they make passphrases harder to remember, not harder to
	// guess), but some firms must have them.
	MinClasses int
}

// MinLengthFloor is the least minimum length a policy may set (NIST SP
// 800-63B's floor for a memorised secret chosen by the user is 8; casevault
// keeps 12 as its default).
const MinLengthFloor = 8

// CodeClasses: the passphrase uses fewer character classes than the rules ask.
const CodeClasses = "classes"

func (r Rules) minLength() int {
	if r.MinLength <= 0 {
		return MinLength
	}
	return max(r.MinLength, MinLengthFloor)
}

// Classes counts the character classes pass uses: lower-case letters,
// upper-case letters, digits, and anything else (symbols, spaces, letters
// without case).
func Classes(pass []byte) int {
	var lower, upper, digit, other bool
	for _, c := range string(pass) {
		switch {
		case unicode.IsLower(c):
			lower = true
		case unicode.IsUpper(c):
			upper = true
		case unicode.IsDigit(c):
			digit = true
		default:
			other = true
		}
	}
	n := 0
	for _, b := range []bool{lower, upper, digit, other} {
		if b {
			n++
		}
	}
	return n
}

// CheckWith is Check under a vault's rules (see Rules).
func CheckWith(pass []byte, rules Rules, names ...string) []Problem {
	if !utf8.Valid(pass) {
		// Bytes that are not UTF-8 are not characters: the other rules
		// would only see replacement characters ("the same character over
		// and over"), and the window could never type this passphrase.
		return []Problem{{CodeNotText, "Your passphrase is not valid text: it has bytes that are not UTF-8 characters, " +
			"which happens when the terminal or the file it came from uses another character set. " +
			"Set the terminal (or save the file) to UTF-8 and type it again, so that the window can open the vault with it too."}}
	}
	p := prepare(pass)
	defer p.wipe()

	var problems []Problem

	if n, least := len(p.low), rules.minLength(); n < least {
		problems = append(problems, Problem{CodeTooShort, tooShortMessage(n, least)})
	}
	if rules.MinClasses > 1 && Classes(pass) < rules.MinClasses {
		problems = append(problems, Problem{CodeClasses, fmt.Sprintf("This vault's policy asks for at least %d of these: "+
			"lower-case letters, capital letters, digits, and other characters such as symbols or spaces. "+
			"Your passphrase uses %d.", min(rules.MinClasses, 4), Classes(pass))})
	}
	if p.isCommon() {
		problems = append(problems, Problem{CodeCommon,
			"This passphrase is on the lists of common passwords that attackers try first, " +
				"even with numbers or symbols added at the end. " +
				"Choose something of your own, such as a few unrelated words only you would put together."})
	}
	if p.containsName(names) {
		problems = append(problems, Problem{CodeContainsName,
			"Your passphrase contains your name or user name, which is among the first things an attacker would try. " +
				"Choose one that leaves your name out."})
	}
	if p.containsAppName() {
		problems = append(problems, Problem{CodeContainsAppName,
			"Your passphrase contains the word \"casevault\", which is among the first things an attacker would try. " +
				"Choose one that leaves it out."})
	}
	rep, seq := p.simplePattern()
	if rep {
		problems = append(problems, Problem{CodeRepeated,
			"Your passphrase is the same character, or the same few characters, over and over. " +
				"Choose something less predictable, such as a few unrelated words."})
	}
	if seq {
		problems = append(problems, Problem{CodeSequence,
			"Your passphrase is a simple run of letters, numbers or keys next to each other on the keyboard " +
				"(like \"abcd\", \"1234\" or \"qwerty\"). Choose something less predictable, such as a few unrelated words."})
	}
	return problems
}

func tooShortMessage(n, least int) string {
	return fmt.Sprintf("Your passphrase is too short: it has %d %s and needs at least %d. "+
		"A few unrelated words strung together make a passphrase that is long enough and still easy to remember.",
		n, human.Noun(n, "character", "characters"), least)
}

// prepared holds the passphrase as runes: orig after NFC normalisation, and
// low, its per-rune lower-case form (same length, same indexes).
type prepared struct {
	orig []rune
	low  []rune
	sc   scratch  // for common-list look-ups
	sc2  scratch  // for substring searches
	tmp  [][]rune // scratch rune slices to wipe
}

func prepare(pass []byte) *prepared {
	nfc := norm.NFC.Append(nil, pass...) // always a fresh copy
	n := utf8.RuneCount(nfc)
	p := &prepared{orig: make([]rune, 0, n), low: make([]rune, 0, n)}
	for b := nfc; len(b) > 0; {
		r, size := utf8.DecodeRune(b)
		b = b[size:]
		p.orig = append(p.orig, r)
		p.low = append(p.low, unicode.ToLower(r))
	}
	clear(nfc)
	return p
}

// newRunes returns a scratch slice that wipe will zero.
func (p *prepared) newRunes(capacity int) []rune {
	r := make([]rune, 0, capacity)
	p.tmp = append(p.tmp, r)
	return r
}

func (p *prepared) wipe() {
	clear(p.orig)
	clear(p.low)
	for _, r := range p.tmp {
		clear(r[:cap(r)])
	}
	p.tmp = nil
	p.sc.wipe()
	p.sc2.wipe()
}

// scratch turns runes into bytes for map look-ups without making strings.
type scratch struct{ buf []byte }

func (s *scratch) bytes(r []rune) []byte {
	if need := len(r) * utf8.UTFMax; cap(s.buf) < need {
		s.wipe()
		s.buf = make([]byte, 0, need*2)
	}
	s.buf = s.buf[:0]
	for _, c := range r {
		s.buf = utf8.AppendRune(s.buf, c)
	}
	return s.buf
}

func (s *scratch) wipe() { clear(s.buf[:cap(s.buf)]) }

// rank returns the common-password rank of r (already lower-case), or 0.
func (p *prepared) rank(r []rune) int {
	if len(r) == 0 {
		return 0
	}
	m, _ := commonList()
	return m[string(p.sc.bytes(r))] // no allocation: the compiler optimises string(b) in a map index
}

// isCommon reports whether the passphrase is a common password, also after
// removing spaces, leading/trailing digits and symbols, and l33t spelling.
func (p *prepared) isCommon() bool {
	forms := [][]rune{p.low}
	if ns := p.withoutSpace(p.low); len(ns) != len(p.low) {
		forms = append(forms, ns)
	}
	for _, f := range forms {
		right := trimRightNonLetters(f)
		both := trimLeftNonLetters(right)
		for _, c := range [][]rune{f, right, both} {
			if p.rank(c) > 0 {
				return true
			}
			for v := range leetVariants {
				if u, changed := p.unleet(c, v); changed && p.rank(u) > 0 {
					return true
				}
			}
		}
	}
	return false
}

// containsName reports whether the passphrase contains one of names (or a
// word of one of them), ignoring case, spaces and punctuation.
func (p *prepared) containsName(names []string) bool {
	if len(names) == 0 {
		return false
	}
	hay := p.sc2.bytes(p.alnum(p.low))
	for _, name := range names {
		for _, part := range nameParts(name) {
			if bytes.Contains(hay, []byte(string(part))) {
				return true
			}
		}
	}
	return false
}

func (p *prepared) containsAppName() bool {
	return bytes.Contains(p.sc2.bytes(p.alnum(p.low)), []byte(appName))
}

// nameParts returns the lower-case letters-and-digits form of name and of
// each of its words, leaving out those shorter than minNameLen. For an
// e-mail address only the part before the @ counts.
func nameParts(name string) [][]rune {
	if i := indexRune(name, '@'); i > 0 {
		name = name[:i]
	}
	name = norm.NFC.String(name)
	var parts [][]rune
	var whole, word []rune
	flush := func() {
		if len(word) >= minNameLen {
			parts = append(parts, word)
		}
		word = nil
	}
	words := 0
	for _, r := range name {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if word == nil {
				words++
			}
			r = unicode.ToLower(r)
			whole = append(whole, r)
			word = append(word, r)
		} else {
			flush()
		}
	}
	flush()
	if words > 1 && len(whole) >= minNameLen {
		parts = append(parts, whole)
	}
	return parts
}

func indexRune(s string, r rune) int {
	for i, c := range s {
		if c == r {
			return i
		}
	}
	return -1
}

// simplePattern reports whether the passphrase is one short group of
// characters repeated, or one simple sequence, as a whole, without spaces,
// or without its leading/trailing digits and symbols.
func (p *prepared) simplePattern() (repeated, sequence bool) {
	cands := [][]rune{p.low}
	ns := p.withoutSpace(p.low)
	cands = append(cands, ns)
	right := trimRightNonLetters(ns)
	left := trimLeftNonLetters(ns)
	both := trimLeftNonLetters(right)
	for _, c := range [][]rune{right, left, both} {
		if len(c) >= minPatternCore {
			cands = append(cands, c)
		}
	}
	for _, c := range cands {
		if len(c) < 3 {
			continue
		}
		if isRepeated(c) {
			repeated = true
		} else if isSequence(c) {
			sequence = true
		}
	}
	return repeated, sequence
}

// maxRepeatUnit is the longest group of characters whose repetition counts
// as a simple pattern ("abcabcabcabc").
const maxRepeatUnit = 4

// isRepeated reports whether r is one group of at most maxRepeatUnit
// characters repeated (at least twice, the last repetition may be partial).
func isRepeated(r []rune) bool {
	for unit := 1; unit <= maxRepeatUnit && 2*unit <= len(r); unit++ {
		ok := true
		for i := unit; i < len(r); i++ {
			if r[i] != r[i-unit] {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// sequences are runs of characters that people type as "simple sequences":
// the alphabet, the digits, rows and columns of common keyboard layouts and
// of the number pad. Each is cyclic (…890123…) and may be read backwards.
// No string holds a character twice.
var sequences = []string{
	"abcdefghijklmnopqrstuvwxyz",
	"0123456789",
	"`1234567890-=",
	"~!@#$%^&*()_+",
	"qwertyuiopasdfghjklzxcvbnm",
	"qwertyuiop[]\\asdfghjkl;'zxcvbnm,./",
	"qwertzuiopasdfghjklyxcvbnm", // German
	"azertyuiopqsdfghjklmwxcvbn", // French
	"',.pyfgcrlaoeuidhtnsqjkxbmwvz",
	"1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik,9ol.0p;/", // columns, top down
	"zaq1xsw2cde3vfr4bgt5nhy6mju7,ki8.lo9/;p0", // columns, bottom up
	"qazwsxedcrfvtgbyhnujmikolp",
	"1q2w3e4r5t6y7u8i9o0p",
	"q1w2e3r4t5y6u7i8o9p0",
	"789456123",
	"147258369",
	"963852741",
}

type seqIndex map[rune]int

var sequenceIndexes = sync.OnceValue(func() []seqIndex {
	out := make([]seqIndex, len(sequences))
	for i, s := range sequences {
		m := seqIndex{}
		for j, r := range []rune(s) {
			if _, dup := m[r]; dup {
				panic("policy: duplicate rune in sequence " + s)
			}
			m[r] = j
		}
		out[i] = m
	}
	return out
})

// isSequence reports whether all of r (3 or more characters) is one simple
// sequence: consecutive code points (up or down), or a run along one of
// the sequences above.
func isSequence(r []rune) bool {
	if len(r) < 3 {
		return false
	}
	if d := r[1] - r[0]; d == 1 || d == -1 {
		ok := true
		for i := 2; i < len(r); i++ {
			if r[i]-r[i-1] != d {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	for i, idx := range sequenceIndexes() {
		if seqRun(r, idx, len([]rune(sequences[i]))) == len(r) {
			return true
		}
	}
	return false
}

// seqRun returns how many leading runes of r follow one another along the
// cyclic sequence idx of length n, in one direction (at least 1 if r[0] is
// in it, 0 if not).
func seqRun(r []rune, idx seqIndex, n int) int {
	if len(r) == 0 {
		return 0
	}
	prev, ok := idx[r[0]]
	if !ok {
		return 0
	}
	dir := 0
	for i := 1; i < len(r); i++ {
		cur, ok := idx[r[i]]
		if !ok {
			return i
		}
		step := 0
		switch (cur - prev + n) % n {
		case 1:
			step = 1
		case n - 1:
			step = -1
		}
		if step == 0 || (dir != 0 && step != dir) {
			return i
		}
		dir = step
		prev = cur
	}
	return len(r)
}

func (p *prepared) withoutSpace(r []rune) []rune {
	out := p.newRunes(len(r))
	for _, c := range r {
		if !unicode.IsSpace(c) {
			out = append(out, c)
		}
	}
	return out
}

func (p *prepared) alnum(r []rune) []rune {
	out := p.newRunes(len(r))
	for _, c := range r {
		if unicode.IsLetter(c) || unicode.IsDigit(c) {
			out = append(out, c)
		}
	}
	return out
}

func trimRightNonLetters(r []rune) []rune {
	for len(r) > 0 && !unicode.IsLetter(r[len(r)-1]) {
		r = r[:len(r)-1]
	}
	return r
}

func trimLeftNonLetters(r []rune) []rune {
	for len(r) > 0 && !unicode.IsLetter(r[0]) {
		r = r[1:]
	}
	return r
}

// leetVariants are the ways l33t spelling is undone: '1' and '|' read as
// 'i' in the first and as 'l' in the second.
var leetVariants = [2]map[rune]rune{
	{'4': 'a', '@': 'a', '8': 'b', '(': 'c', '{': 'c', '[': 'c', '<': 'c', '3': 'e', '6': 'g', '9': 'g',
		'1': 'i', '!': 'i', '|': 'i', '0': 'o', '$': 's', '5': 's', '7': 't', '+': 't', '%': 'x', '2': 'z'},
	{'4': 'a', '@': 'a', '8': 'b', '(': 'c', '{': 'c', '[': 'c', '<': 'c', '3': 'e', '6': 'g', '9': 'g',
		'1': 'l', '!': 'i', '|': 'l', '0': 'o', '$': 's', '5': 's', '7': 't', '+': 't', '%': 'x', '2': 'z'},
}

// unleet returns r with l33t characters replaced by the letters they stand
// for (variant v of leetVariants), and whether anything changed.
func (p *prepared) unleet(r []rune, v int) ([]rune, bool) {
	return unleetInto(p.newRunes(len(r)), r, v)
}

// unleetInto is unleet writing into dst[:0], which must have room for len(r).
func unleetInto(dst, r []rune, v int) ([]rune, bool) {
	out := dst[:0]
	changed := false
	for _, c := range r {
		if l, ok := leetVariants[v][c]; ok {
			c = l
			changed = true
		}
		out = append(out, c)
	}
	return out, changed
}
