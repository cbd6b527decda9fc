package cli

// "intake form ...": the questions of the intake form by practice area,
// the lawyer's own questions and the privacy notice. Each command reads
// the form as it is now, changes one thing and saves it as a new version
// (app.SaveIntakeForm validates it; old submissions keep their answers,
// labels and all).

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"casevault/app"
	"casevault/app/human"
	"casevault/app/intake/form"
)

// splitList is a comma-separated flag's values, trimmed, blanks left out.
func splitList(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// formError is a form the app refused, in words: the form package's
// message, with nothing changed.
func formError(err error) error {
	var fe *form.FieldError
	if errors.As(err, &fe) {
		return &saidError{strings.TrimSuffix(fe.Message, ".") + ". The form was not changed.", err}
	}
	return err
}

// saveForm saves c and says what changed (under --json: the new version).
func (r *runner) saveForm(s *app.Session, c *form.Config, change, sentence string) error {
	v, err := s.SaveIntakeForm(r.ctx, c)
	if err != nil {
		return formError(err)
	}
	return r.done(struct {
		Version int    `json:"version"`
		Change  string `json:"change"`
	}{v, change}, fmt.Sprintf("%s (the form is now version %d; submissions already received keep their answers).", sentence, v))
}

func (r *runner) intakeFormShow(args []string) error {
	fs := r.flags("intake form show")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 1 {
		return usagef("give at most one practice area: casevault intake form show [AREA]")
	}
	return r.open(func(s *app.Session) error {
		c, err := s.IntakeForm(r.ctx)
		if err != nil {
			return err
		}
		areas := c.Areas
		if len(pos) == 1 {
			a, ok := c.Area(pos[0])
			if !ok {
				return usagef("there is no practice area %q; the areas are: %s", pos[0], strings.Join(areaKeys(c), ", "))
			}
			areas = []form.Area{*a}
		}
		return r.out(c, func(w io.Writer) {
			if c.Version == 0 {
				fmt.Fprintln(w, "The intake form as it comes (not changed yet).")
			} else {
				fmt.Fprintf(w, "The intake form, version %d.\n", c.Version)
			}
			for _, a := range areas {
				fmt.Fprintf(w, "\n%s (%s): %s\n", cell(a.Label), cell(a.Key), human.Count(len(a.Questions), "question", "questions"))
				for _, k := range a.Questions {
					label := "(no such question)"
					if q, ok := c.Question(k); ok {
						label = q.Label
					}
					mark := " "
					if k == "full_name" || slices.Contains(a.Required, k) {
						mark = "*"
					}
					fmt.Fprintf(w, "  %s %s\t%s\n", mark, cell(k), cell(label))
				}
			}
			fmt.Fprintln(w, "\n* must be answered")
			var own []form.Question
			for _, q := range c.Questions {
				if !q.Builtin {
					own = append(own, q)
				}
			}
			if len(own) > 0 {
				fmt.Fprintln(w, "\nYour own questions:")
				fmt.Fprintln(w, "KEY\tQUESTION\tKIND\tCHOICES")
				for _, q := range own {
					fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", cell(q.Key), cell(q.Label), cell(q.Kind.Words()), cell(strings.Join(q.Choices, ", ")))
				}
			}
			fmt.Fprintf(w, "\nPrivacy notice (version %d):\n", c.Notice.Version)
			for _, l := range strings.Split(human.EscapeText(c.Notice.Text), "\n") {
				fmt.Fprintf(w, "  %s\n", strings.ReplaceAll(l, "\t", "    "))
			}
		})
	})
}

func (r *runner) intakeFormNotice(args []string) error {
	fs := r.flags("intake form notice")
	text := fs.String("text", "", "the privacy notice's text (required)")
	ff := newFileFlags(fs)
	ff.add("text", "the notice", false)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("intake form notice takes no arguments, not %q (the text is --text or --text-file FILE)", pos[0])
	}
	files, err := r.readFiles(ff)
	if err != nil {
		return err
	}
	if t, ok := files["text"]; ok {
		*text = t
	}
	if strings.TrimSpace(*text) == "" {
		return usagef("intake form notice needs the notice's text: --text-file FILE (or --text \"...\")")
	}
	return r.open(func(s *app.Session) error {
		c, err := s.IntakeForm(r.ctx)
		if err != nil {
			return err
		}
		if c.Notice.Text == *text {
			return r.done(struct {
				Version int    `json:"version"`
				Change  string `json:"change"`
			}{c.Version, "unchanged"}, "The privacy notice already reads so; nothing was changed.")
		}
		c.Notice.Text = *text
		return r.saveForm(s, c, "notice", "Privacy notice saved; new submissions record that they agreed to this version")
	})
}

func (r *runner) intakeFormAddQuestion(args []string) error {
	fs := r.flags("intake form add-question")
	label := fs.String("label", "", "the question as the person reads it (required)")
	kind := fs.String("kind", "", "short, long, date, yesno or choice (required)")
	choices := fs.String("choices", "", "for --kind choice: the answers to choose from, separated by commas")
	hint := fs.String("hint", "", "a line of help shown under the question")
	areas := fs.String("areas", "", "the practice areas that ask it, separated by commas, or all (required)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("intake form add-question takes no arguments, not %q (the question is --label \"...\")", pos[0])
	}
	k := form.Kind(*kind)
	ch := splitList(*choices)
	switch {
	case strings.TrimSpace(*label) == "":
		return usagef("intake form add-question needs --label, the question as the person reads it")
	case *kind == "":
		return usagef("intake form add-question needs --kind short, long, date, yesno or choice")
	case !slices.Contains(form.CustomKinds, k):
		return usagef("--kind is short, long, date, yesno or choice, not %q", *kind)
	case k == form.Choice && len(ch) < 2:
		return usagef("a choice needs at least two answers to choose from: --choices \"A,B\"")
	case k != form.Choice && *choices != "":
		return usagef("--choices goes with --kind choice only")
	case len(splitList(*areas)) == 0:
		return usagef("intake form add-question needs --areas, the practice areas that ask it (e.g. --areas family,estate, or --areas all)")
	}
	return r.open(func(s *app.Session) error {
		c, err := s.IntakeForm(r.ctx)
		if err != nil {
			return err
		}
		want := splitList(*areas)
		if len(want) == 1 && want[0] == "all" {
			want = nil
			for _, a := range c.Areas {
				want = append(want, a.Key)
			}
		}
		for _, key := range want {
			if _, ok := c.Area(key); !ok {
				return usagef("there is no practice area %q; the areas are: %s", key, strings.Join(areaKeys(c), ", "))
			}
		}
		q := form.Question{Key: c.NextCustomKey(), Label: *label, Help: *hint, Kind: k, Choices: ch}
		c.Questions = append(c.Questions, q)
		for i := range c.Areas {
			if slices.Contains(want, c.Areas[i].Key) {
				c.Areas[i].Questions = append(c.Areas[i].Questions, q.Key)
			}
		}
		had := map[string]bool{}
		for _, x := range c.Questions[:len(c.Questions)-1] {
			had[x.Key] = true
		}
		v, err := s.SaveIntakeForm(r.ctx, c)
		if err != nil {
			return formError(err)
		}
		// The app may give the question another key than the one asked
		// for (a key an earlier version used is never given again): the
		// saved form says which.
		saved, err := s.IntakeForm(r.ctx)
		if err != nil {
			return err
		}
		for _, x := range saved.Questions {
			if !x.Builtin && !had[x.Key] {
				q.Key = x.Key
			}
		}
		return r.done(struct {
			Version int    `json:"version"`
			Change  string `json:"change"`
			Key     string `json:"key"`
		}{v, "question added", q.Key}, fmt.Sprintf("Question %s added to %s: %s (the form is now version %d).",
			q.Key, human.Count(len(want), "practice area", "practice areas"), cell(q.Label), v))
	})
}

// areaKeys are the keys of the form's practice areas.
func areaKeys(c *form.Config) []string {
	var out []string
	for _, a := range c.Areas {
		out = append(out, a.Key)
	}
	return out
}

func (r *runner) intakeFormRemoveQuestion(args []string) error {
	fs := r.flags("intake form remove-question")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("give the key of one question: casevault intake form remove-question KEY (\"casevault intake form show\" lists them)")
	}
	key := pos[0]
	return r.open(func(s *app.Session) error {
		c, err := s.IntakeForm(r.ctx)
		if err != nil {
			return err
		}
		q, ok := c.Question(key)
		switch {
		case !ok:
			return usagef("the form has no question %q (\"casevault intake form show%s\" lists them)", key, r.vaultFlag())
		case q.Builtin:
			return usagef("%q is one of the form's own questions and cannot be removed; take it out of an area with \"casevault intake form area AREA --questions ...\"", key)
		}
		c.Questions = slices.DeleteFunc(c.Questions, func(x form.Question) bool { return x.Key == key })
		for i := range c.Areas {
			a := &c.Areas[i]
			a.Questions = slices.DeleteFunc(a.Questions, func(k string) bool { return k == key })
			a.Required = slices.DeleteFunc(a.Required, func(k string) bool { return k == key })
		}
		return r.saveForm(s, c, "question "+key+" removed", fmt.Sprintf("Question %s removed from the form", cell(key)))
	})
}

func (r *runner) intakeFormArea(args []string) error {
	fs := r.flags("intake form area")
	questions := fs.String("questions", "", "the area's questions, in order, as keys separated by commas (required)")
	required := fs.String("required", "", "the questions that must be answered, separated by commas (full_name always must)")
	label := fs.String("label", "", "the area's name as the person reads it (required for a new area)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("give one practice area: casevault intake form area AREA --questions KEY,KEY,...")
	}
	key := pos[0]
	qs, req := splitList(*questions), splitList(*required)
	if len(qs) == 0 {
		return usagef("intake form area needs --questions, the area's questions in order (\"casevault intake form show\" lists the keys)")
	}
	return r.open(func(s *app.Session) error {
		c, err := s.IntakeForm(r.ctx)
		if err != nil {
			return err
		}
		for _, k := range append(append([]string{}, qs...), req...) {
			if _, ok := c.Question(k); !ok {
				return usagef("the form has no question %q (\"casevault intake form show%s\" lists them)", k, r.vaultFlag())
			}
		}
		for _, k := range req {
			if !slices.Contains(qs, k) {
				return usagef("--required names %q, which is not among --questions", k)
			}
		}
		if qs[0] != "full_name" {
			qs = append([]string{"full_name"}, slices.DeleteFunc(qs, func(k string) bool { return k == "full_name" })...)
		}
		i := slices.IndexFunc(c.Areas, func(a form.Area) bool { return a.Key == key })
		added := i < 0
		if added {
			if strings.TrimSpace(*label) == "" {
				return usagef("there is no practice area %q yet; to add it, give its name too: --label \"...\" (the areas are: %s)", key, strings.Join(areaKeys(c), ", "))
			}
			c.Areas = append(c.Areas, form.Area{Key: key})
			i = len(c.Areas) - 1
		}
		a := &c.Areas[i]
		if strings.TrimSpace(*label) != "" {
			a.Label = *label
		}
		a.Questions, a.Required = qs, req
		must := len(req)
		if !slices.Contains(req, "full_name") {
			must++ // full_name always must be answered
		}
		verb := "changed"
		if added {
			verb = "added"
		}
		return r.saveForm(s, c, "area "+key+" "+verb,
			fmt.Sprintf("Practice area %s %s: %s, %s", cell(a.Label), verb, human.Count(len(qs), "question", "questions"), human.Number(int64(must))+" of them must be answered"))
	})
}
