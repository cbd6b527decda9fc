package conflict

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// companySuffixes are dropped from a name wherever they appear (see Normalise).
var companySuffixes = map[string]bool{
	"llc": true, "inc": true, "incorporated": true, "ltd": true, "limited": true,
	"corp": true, "corporation": true, "co": true, "company": true, "plc": true,
	"gmbh": true, "lp": true, "llp": true, "pllc": true, "pc": true, "sa": true,
	"ag": true, "bv": true, "nv": true, "pty": true, "srl": true,
}

// article is dropped like a suffix. Normalise's result is sorted, so "leading" cannot be
// told apart on a second pass; dropping it anywhere keeps Normalise idempotent.
const article = "the"

// special transliterates lower-case letters that NFKD does not decompose.
var special = map[rune]string{
	'ß': "ss", 'æ': "ae", 'œ': "oe", 'ø': "o", 'đ': "d", 'ð': "d", 'ł': "l",
	'þ': "th", 'ı': "i", 'ħ': "h", 'ŧ': "t", 'ŀ': "l", 'ĳ': "ij",
}

// normInfo records which kinds of normalisation changed something in a name; it is
// used only to explain a Normalised hit.
type normInfo uint8

const (
	infoAccents normInfo = 1 << iota // combining marks removed or letters transliterated
	infoPunct                        // separators other than spaces, or apostrophes dropped
)

// analysis is a name broken into its normalised words.
type analysis struct {
	tokens  []string // kept words in source order
	removed []string // company suffixes / articles removed, in source order
	info    normInfo
}

// isApostrophe reports runes that are dropped without splitting a word, so that
// O'Brien, O’Brien and OBrien agree. The Catalan middle dot (l·l) is treated the same.
func isApostrophe(r rune) bool {
	switch r {
	case '\'', '`', '\u00B4', '\u2018', '\u2019', '\u201B', '\u02B9', '\u02BB', '\u02BC',
		'\u02BD', '\u2032', '\uFF07', '\u00B7', '\u0387', '\u2027':
		return true
	}
	return false
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// rawTok is one word of the name as bytes buf[start:end] of the tokenizer.
type rawTok struct {
	start, end int32
	dotJoin    bool // separated from the previous word by exactly one '.' ("L.L.C.")
}

type tokenizer struct {
	keepMarks bool // keep accents (used only for explanations)
	buf       []byte
	start     int // start of the current word in buf
	toks      []rawTok
	sepRunes  int
	sepDots   int
	info      normInfo
	words     []string // reused by analyse
	kept      []string // reused by analyse
}

func (t *tokenizer) flush() {
	if len(t.buf) == t.start {
		return
	}
	t.toks = append(t.toks, rawTok{int32(t.start), int32(len(t.buf)), len(t.toks) > 0 && t.sepRunes == 1 && t.sepDots == 1})
	t.start = len(t.buf)
	t.sepRunes, t.sepDots = 0, 0
}

func (t *tokenizer) separator(r rune) {
	t.flush()
	t.sepRunes++
	if r == '.' {
		t.sepDots++
	}
	if !unicode.IsSpace(r) {
		t.info |= infoPunct
	}
}

// rune handles one rune of the NFKD-decomposed name. depth bounds re-decomposition.
func (t *tokenizer) rune(r rune, depth int) {
	switch {
	case r < utf8.RuneSelf && ('a' <= r && r <= 'z' || '0' <= r && r <= '9'):
		t.buf = append(t.buf, byte(r))
	case 'A' <= r && r <= 'Z':
		t.buf = append(t.buf, byte(r+'a'-'A'))
	case isApostrophe(r):
		t.info |= infoPunct
	case r == '&':
		t.separator(r)
		t.buf = append(t.buf, "and"...)
		t.flush()
		t.sepRunes = 1 // never dot-joined to what follows
	case unicode.In(r, unicode.Mn, unicode.Me):
		if t.keepMarks {
			t.buf = utf8.AppendRune(t.buf, r)
		} else {
			t.info |= infoAccents
		}
	case unicode.Is(unicode.Cf, r):
		// soft hyphen, zero-width joiners and the like: invisible, dropped.
	case unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.Is(unicode.Mc, r):
		l := unicode.ToLower(r)
		if l == 'ς' {
			l = 'σ'
		}
		if !t.keepMarks {
			if s, ok := special[l]; ok {
				t.buf = append(t.buf, s...)
				t.info |= infoAccents
				return
			}
		}
		if l != r && l >= utf8.RuneSelf && depth < 3 {
			var b [utf8.UTFMax]byte
			enc := b[:utf8.EncodeRune(b[:], l)]
			if !norm.NFKD.IsNormal(enc) {
				for _, d := range norm.NFKD.String(string(enc)) {
					t.rune(d, depth+1)
				}
				return
			}
		}
		t.buf = utf8.AppendRune(t.buf, l)
	default:
		t.separator(r)
	}
}

// analyse splits name into normalised words (see Normalise).
func analyse(name string, keepMarks bool) analysis {
	t := tokenizer{keepMarks: keepMarks, buf: make([]byte, 0, len(name)+8)}
	return t.analyse(name)
}

// analyse is analyse reusing t's buffers: the result's slices are valid only until the
// next call (the word strings themselves stay valid).
func (t *tokenizer) analyse(name string) analysis {
	keepMarks := t.keepMarks
	t.buf, t.toks, t.start, t.sepRunes, t.sepDots, t.info = t.buf[:0], t.toks[:0], 0, 0, 0, 0
	if isASCII(name) {
		for i := 0; i < len(name); i++ {
			t.rune(rune(name[i]), 0)
		}
	} else {
		// Invalid UTF-8 stops the norm package from decomposing what follows it; make
		// it a separator. U+00B4 (acute accent used as an apostrophe) decomposes to
		// space + mark under NFKD, which would split the word; make it an apostrophe.
		name = strings.ReplaceAll(strings.ToValidUTF8(name, " "), "\u00B4", "'")
		for _, r := range norm.NFKD.String(name) {
			t.rune(r, 0)
		}
	}
	t.flush()
	a := analysis{info: t.info}
	if len(t.toks) == 0 {
		return a
	}
	all := string(t.buf) // one allocation; words are substrings of it
	word := func(k int) string {
		w := all[t.toks[k].start:t.toks[k].end]
		if keepMarks && !isASCII(w) {
			w = norm.NFC.String(w)
		}
		return w
	}

	// Join dotted abbreviations: runs of single letters separated by single periods
	// ("L.L.C.", "S.A.", "I.B.M.") become one word.
	toks := t.words[:0]
	for i := 0; i < len(t.toks); {
		j := i + 1
		if single(all[t.toks[i].start:t.toks[i].end]) {
			for j < len(t.toks) && t.toks[j].dotJoin && single(all[t.toks[j].start:t.toks[j].end]) {
				j++
			}
		}
		if j-i >= 2 {
			var b strings.Builder
			for k := i; k < j; k++ {
				b.WriteString(word(k))
			}
			toks = append(toks, b.String())
			a.info |= infoPunct
		} else {
			toks = append(toks, word(i))
		}
		i = j
	}

	// Drop company suffixes and the article; "& Co." / "and Company" drop the "and" too.
	// A name made only of such words keeps them all.
	kept := t.kept[:0]
	var removed []string
	for i, s := range toks {
		switch {
		case companySuffixes[s]:
			if n := len(kept); n > 0 && kept[n-1] == "and" && i > 0 && toks[i-1] == "and" {
				kept = kept[:n-1]
				removed = append(removed, "and")
			}
			removed = append(removed, s)
		case s == article:
			removed = append(removed, s)
		default:
			kept = append(kept, s)
		}
	}
	t.words, t.kept = toks, kept
	switch {
	case len(kept) == 0:
		a.tokens = toks
	case len(removed) == 0:
		a.tokens = toks
	default:
		a.tokens = append(toks[:0], kept...)
		a.removed = removed
	}
	return a
}

// single reports whether s is exactly one rune.
func single(s string) bool {
	if s == "" {
		return false
	}
	_, n := utf8.DecodeRuneInString(s)
	return n == len(s)
}

// punctOf returns the punctuation of a name in order (for explanations only).
func punctOf(name string) string {
	var b strings.Builder
	for _, r := range name {
		if !unicode.IsLetter(r) && !unicode.IsNumber(r) && !unicode.IsSpace(r) && !unicode.IsMark(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// normKey returns the words sorted and joined by single spaces.
func normKey(tokens []string) string {
	var arr [16]string
	sorted := append(arr[:0], tokens...)
	slices.Sort(sorted)
	return strings.Join(sorted, " ")
}

// Normalise returns the canonical key of a name: NFKD, accents removed, lower case,
// punctuation removed (apostrophes dropped without splitting: O'Brien -> obrien;
// hyphens, commas, periods and other symbols split words; "&" becomes the word "and";
// dotted abbreviations such as "L.L.C." or "I.B.M." are joined into one word),
// company suffixes removed (llc, inc, incorporated, ltd, limited, corp, corporation,
// co, company, plc, gmbh, lp, llp, pllc, pc, sa, ag, bv, nv, pty, srl; "& Co" loses
// its "&" too) and the article "the" removed, words sorted and joined with single
// spaces. A name made only of suffixes (e.g. "Inc.") keeps its words rather than
// becoming empty. A name without letters or digits normalises to "".
//
// Suffixes and "the" are removed wherever they occur, not only at the end/start: the
// result is sorted, so position-dependent rules would not be idempotent.
// Normalise(Normalise(x)) == Normalise(x) for every x.
func Normalise(name string) string {
	return normKey(analyse(name, false).tokens)
}

// exactKey is the name trimmed, with runs of white space collapsed to one space,
// composed (NFC) and simple-case-folded: two names with equal exactKey differ only in
// case and spacing.
func exactKey(name string) string {
	s := strings.TrimSpace(name)
	ascii := isASCII(s)
	if !ascii {
		s = norm.NFC.String(strings.ToValidUTF8(s, "\uFFFD"))
	}
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) {
			space = true
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		if unicode.IsMark(r) {
			b.WriteRune(r) // U+0345 folds to iota, but Normalise drops it as an accent
		} else {
			b.WriteRune(foldRune(r))
		}
	}
	return b.String()
}

// foldRune maps every rune of a simple case-folding orbit (k, K, U+212A KELVIN SIGN) to
// the same rune.
func foldRune(r rune) rune {
	if r < utf8.RuneSelf {
		if 'A' <= r && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}
	m := r
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		if f < m && !unicode.IsMark(f) { // U+0345 is in iota's orbit
			m = f
		}
	}
	return unicode.ToLower(m)
}
