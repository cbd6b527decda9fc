package cli

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"casevault/app"
	"casevault/app/checkup"
	"casevault/app/human"
	"casevault/app/policy"
)

// casevault checkup: the security check (app.Session.Checkup) on the
// command line, with its answers (--answer) and fixes (--fix) first, the
// report as text or JSON, and the printable page (--out FILE.html). It
// exits 0 whenever the check ran: the words say what needs attention.

type checkupAnswer struct {
	key string
	yes bool
}

func (r *runner) cmdCheckup(args []string) error {
	fs := r.flags("checkup")
	var answers []checkupAnswer
	fs.Func("answer", "answer a question of the check, `KEY=yes|no` (disk-encryption, screen-lock, passphrase); may be repeated", func(v string) error {
		a, err := parseCheckupAnswer(v)
		if err != nil {
			return err
		}
		answers = append(answers, a)
		return nil
	})
	fix := fs.String("fix", "", "put an item right first: auto-lock, clipboard, verify-audit, or kdf (asks for a new passphrase)")
	outPath := fs.String("out", "", "also write the printable page of the check to FILE (HTML, for your compliance file)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("checkup takes no arguments, only flags (got %q)", pos[0])
	}
	switch f := checkup.Fix(*fix); {
	case f == "", f.OneClick(), f == checkup.FixKDF:
	default:
		return usagef("--fix %s: there is no such fix; give auto-lock, clipboard, verify-audit or kdf (the other items are put right on their own screens, as the check says)", *fix)
	}
	if *outPath == "-" {
		return usagef("--out needs a file name (the page is not for a terminal)")
	}
	return r.open(func(s *app.Session) error {
		for _, a := range answers {
			if err := s.AnswerCheckup(r.ctx, a.key, a.yes); err != nil {
				return err
			}
		}
		switch f := checkup.Fix(*fix); {
		case f == checkup.FixKDF:
			if err := r.strengthenUnlock(s); err != nil {
				return err
			}
		case f != "":
			if err := s.FixCheckup(r.ctx, *fix); err != nil {
				return err
			}
		}
		rep, err := s.Checkup(r.ctx)
		if err != nil {
			return err
		}
		if *outPath != "" {
			if err := writeNew(*outPath, "the check's page", rep.WriteHTML); err != nil {
				return err
			}
			fmt.Fprintf(r.env.Stderr, "The check's page was written to %s (it holds no client data).\n", human.EscapeText(*outPath))
		}
		return r.out(rep, func(w io.Writer) { writeCheckupText(w, rep) })
	})
}

// parseCheckupAnswer reads --answer KEY=yes|no.
func parseCheckupAnswer(v string) (checkupAnswer, error) {
	keys := []string{checkup.KeyDiskCrypt, checkup.KeyScreenLock, checkup.KeyPassphrase}
	k, val, ok := strings.Cut(strings.TrimSpace(v), "=")
	k = strings.ToLower(strings.TrimSpace(k))
	if !ok || !slices.Contains(keys, k) {
		return checkupAnswer{}, fmt.Errorf("give KEY=yes or KEY=no, where KEY is %s (for example --answer disk-encryption=yes), not %q",
			strings.Join(keys, ", "), v)
	}
	switch strings.ToLower(strings.TrimSpace(val)) {
	case "yes", "y":
		return checkupAnswer{k, true}, nil
	case "no", "n":
		return checkupAnswer{k, false}, nil
	}
	return checkupAnswer{}, fmt.Errorf("the answer to %s is yes or no, not %q", k, val)
}

// strengthenUnlock asks for a new passphrase (twice, checked against the
// policy) and changes to it with settings measured here now.
func (r *runner) strengthenUnlock(s *app.Session) error {
	fmt.Fprintln(r.env.Stderr, "Choose a new passphrase: it will be changed with settings measured on this laptop now (a few seconds).")
	pass, err := r.newPassphrase("the passphrase was not changed", func(p []byte) []policy.Problem { return s.CheckNewPassphrase(r.ctx, p) })
	if err != nil {
		return err
	}
	defer clear(pass)
	if err := s.StrengthenUnlock(r.ctx, pass, r.kf); err != nil {
		return err
	}
	fmt.Fprintln(r.env.Stderr, "The passphrase was changed, with settings measured on this laptop: use the new one from now on.")
	return nil
}

// writeCheckupText prints the check: what needs attention and what to
// answer first, then the rest.
func writeCheckupText(w io.Writer, rep *app.CheckupReport) {
	fmt.Fprintf(w, "Security check of %s: %s.\n", human.Date(rep.At), rep.Summary())
	if !rep.Previous.IsZero() {
		if len(rep.Changes) == 0 {
			fmt.Fprintf(w, "Nothing changed since the check of %s.\n", human.Date(rep.Previous))
		} else {
			fmt.Fprintf(w, "Changed since the check of %s:\n", human.Date(rep.Previous))
			for _, c := range rep.Changes {
				// "needs attention", "please answer", but "OK" stays "OK".
				lower := func(l string) string {
					if l == strings.ToUpper(l) {
						return l
					}
					return strings.ToLower(l)
				}
				was := "not checked"
				if c.Was != "" {
					was = lower(c.Was.Label())
				}
				fmt.Fprintf(w, "  %s: was %s, now %s\n", c.Title, was, lower(c.Now.Label()))
			}
		}
	}
	order := []checkup.Status{checkup.Attention, checkup.Ask, checkup.OK, checkup.NA}
	for _, st := range order {
		for _, it := range rep.Items {
			if it.Status != st {
				continue
			}
			fmt.Fprintf(w, "\n%s: %s\n  %s\n", strings.ToUpper(it.Status.Label()), it.Title, it.Found)
			if it.Advice != "" && it.Status != checkup.OK {
				fmt.Fprintf(w, "  What to do: %s\n", it.Advice)
			}
			switch {
			case it.Fix.OneClick():
				fmt.Fprintf(w, "  Fix it now: casevault checkup --fix %s\n", it.Fix)
			case it.Fix == checkup.FixKDF:
				fmt.Fprintln(w, "  Fix it now: casevault checkup --fix kdf")
			case it.Fix == checkup.FixAnswer:
				fmt.Fprintf(w, "  Answer: casevault checkup --answer %s=yes (or =no). %s\n", it.Key, checkup.Question(it.Key))
			}
		}
	}
	fmt.Fprintln(w, "\nThe printable page for your compliance file: casevault checkup --out FILE.html")
}
