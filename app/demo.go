package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"time"

	"casevault/app/human"
	"casevault/store"
	"casevault/vault"
)

// DemoPassphrase opens every demo vault. It is printed on screen: a demo
// vault holds only invented data.
const DemoPassphrase = "demo plover quartz meadow"

var (
	demoOnsets = []string{"b", "br", "d", "dr", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "th", "sh", "qu"}
	demoNuclei = []string{"a", "e", "i", "o", "u", "ai", "ou", "ei"}
	demoCodas  = []string{"", "", "", "n", "l", "r", "s", "m", "x"}
	demoAreas  = []string{"Family", "Real estate", "Employment", "Estates", "Contracts", "Immigration", "Tenancy"}
	demoTitles = []string{"Lease dispute", "Purchase of premises", "Unfair dismissal", "Estate administration",
		"Supply contract", "Residence permit", "Boundary disagreement", "Custody arrangement", "Debt recovery"}
	demoNotes = []string{"First meeting held; documents requested.", "Letter sent to the other side.",
		"Received signed engagement letter.", "Call with client about next steps.", "Hearing date to be confirmed.",
		"Draft agreement reviewed and returned."}
)

func demoWord(r *rand.Rand, syllables int) string {
	var b strings.Builder
	for i := 0; i < syllables; i++ {
		b.WriteString(demoOnsets[r.IntN(len(demoOnsets))])
		b.WriteString(demoNuclei[r.IntN(len(demoNuclei))])
		if i == syllables-1 {
			b.WriteString(demoCodas[r.IntN(len(demoCodas))])
		}
	}
	w := b.String()
	return strings.ToUpper(w[:1]) + w[1:]
}

// DemoName is an invented two-word name made of syllables.
func DemoName(r *rand.Rand) string {
	return demoWord(r, 2+r.IntN(2)) + " " + demoWord(r, 2+r.IntN(2))
}

// demoSpan is how far back the invented records go: clients arrive and
// matters open evenly over the last three years.
const demoSpan = 3 * 365 * 24 * time.Hour

// Demo creates a vault in dir filled with n invented clients (about one in
// three with a matter, parties and notes), opened by DemoPassphrase.
// Nothing in it lies in the future of now(): clients arrive and matters
// open over the last three years, a matter's notes and its closing come
// after its opening and before now, and everyone is born between 86 and 27
// years before now's year.
func Demo(ctx context.Context, dir string, n int, kdf KDFParams, now func() time.Time) error {
	if now == nil {
		now = time.Now
	}
	if _, err := Init(ctx, dir, []byte(DemoPassphrase), InitOptions{KDF: kdf, Actor: "demo", Now: now}); err != nil {
		return err
	}
	// A demo vault's recovery key is never shown: its passphrase is public.
	if err := ConfirmInit(dir); err != nil {
		return err
	}
	s, err := Open(ctx, dir, Passphrase([]byte(DemoPassphrase)), Options{Actor: "demo", Now: now})
	if err != nil {
		return err
	}
	r := rand.New(rand.NewPCG(uint64(n), 42))
	// The newest record is a minute old; record i arrives at start + i*step.
	newest := now().Add(-time.Minute)
	step := demoSpan / time.Duration(max(n, 1))
	first := newest.Add(-demoSpan)
	bornBefore := now().Year() - 86 // 1940 to 1999 when now is in 2026
	const batch = 500
	for start := 0; start < n && err == nil; start += batch {
		end := min(start+batch, n)
		err = s.st.Update(ctx, func(tx *store.Tx) error {
			for i := start; i < end; i++ {
				at := first.Add(time.Duration(i) * step)
				later := newest.Sub(at) // how long after at notes and closings may come
				name := DemoName(r)
				first, last, _ := strings.Cut(name, " ")
				c := &store.Client{
					Name:  name,
					Email: strings.ToLower(first+"."+last) + "@example.com",
					Phone: fmt.Sprintf("+1 555 01%02d %03d", r.IntN(100), r.IntN(1000)),
					DOB: time.Date(bornBefore+r.IntN(60), time.Month(1+r.IntN(12)), 1+r.IntN(28), 0, 0, 0, 0, time.UTC).
						Format("2006-01-02"),
					Address: fmt.Sprintf("%d %s Street, %s", 1+r.IntN(200), demoWord(r, 2), demoWord(r, 3)),
				}
				if r.IntN(5) == 0 {
					c.Aliases = []string{first + " " + demoWord(r, 2)}
				}
				id, err := tx.InsertClient(c, at)
				if err != nil {
					return err
				}
				if i%3 != 0 {
					continue
				}
				m := &store.Matter{ClientID: id, Title: demoTitles[r.IntN(len(demoTitles))], PracticeArea: demoAreas[r.IntN(len(demoAreas))],
					Parties: []store.Party{{Role: store.RoleAdverse, Name: DemoName(r)}}}
				if r.IntN(2) == 0 {
					m.Parties = append(m.Parties, store.Party{Role: store.RoleOpposingCounsel, Name: DemoName(r)})
				}
				if r.IntN(3) == 0 {
					m.Parties = append(m.Parties, store.Party{Role: store.RoleRelated, Name: DemoName(r)})
				}
				mid, err := tx.InsertMatter(m, at)
				if err != nil {
					return err
				}
				for k := 0; k < 1+r.IntN(3); k++ {
					if _, err := tx.InsertNote(&store.Note{MatterID: mid, Text: demoNotes[r.IntN(len(demoNotes))], Author: "demo"},
						at.Add(later/8*time.Duration(k+1))); err != nil { // k < 3: in the first 3/8 of the way to now
						return err
					}
				}
				if r.IntN(4) == 0 {
					if err := tx.SetMatterStatus(mid, "closed", at.Add(later/4*3)); err != nil {
						return err
					}
				}
			}
			return s.appendAudit(tx, "demo.fill", "", fmt.Sprintf("clients %d..%d", start+1, end))
		})
	}
	if cerr := s.Close(ctx); err == nil {
		err = cerr
	}
	return err
}

// DemoMain runs "casevault demo --vault DIR [--clients N]" and returns the
// exit code.
func DemoMain(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("vault", "", "folder for the new demo vault (must be new or empty)")
	n := fs.Int("clients", 200, "number of invented clients")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: casevault demo --vault DIR [--clients N]\n\nCreates a vault of invented clients to try casevault with.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if *dir == "" || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "casevault demo: give the folder with --vault DIR (and nothing else)")
		return 2
	}
	if *n < 0 || *n > 1_000_000 {
		fmt.Fprintln(stderr, "casevault demo: --clients must be between 0 and 1000000")
		return 2
	}
	kdf := KDFParams{Time: 1, MemoryKiB: 64 * 1024, Threads: vault.DefaultThreads()}
	start := time.Now()
	if err := Demo(ctx, *dir, *n, kdf, nil); err != nil {
		fmt.Fprintln(stderr, "casevault demo:", Message(err))
		return 1
	}
	fmt.Fprintf(stdout, "Demo vault with %s created in %s (%s).\n", human.Count(*n, "invented client", "invented clients"), *dir,
		human.Duration(time.Since(start)))
	fmt.Fprintf(stdout, "Its passphrase is: %s\n", DemoPassphrase)
	fmt.Fprintf(stdout, "Open it with: casevault --vault %s\n", *dir)
	fmt.Fprintln(stdout, "Everything in it is invented. Its key derivation is deliberately light (64 MiB): never keep real client data in it.")
	return 0
}
