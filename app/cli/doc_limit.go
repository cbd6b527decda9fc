package cli

// doc limit: the largest file a document may be (app.DocumentLimit).

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"casevault/app"
	"casevault/app/human"
)

// sizeUnits are the units parseSize takes, by their lower-case name.
var sizeUnits = map[string]float64{
	"": 1, "b": 1, "byte": 1, "bytes": 1,
	"kb": 1e3, "mb": 1e6, "gb": 1e9, "tb": 1e12,
	"kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30, "tib": 1 << 40,
}

// parseSize reads a size as a person writes it: "500MB", "2 GB", "1.5GiB",
// "4000000" (bytes).
func parseSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	i := 0
	for i < len(t) && (t[i] >= '0' && t[i] <= '9' || t[i] == '.') {
		i++
	}
	num, unit := t[:i], strings.ToLower(strings.TrimSpace(t[i:]))
	f, err := strconv.ParseFloat(num, 64)
	mult, ok := sizeUnits[unit]
	if num == "" || err != nil || !ok || f*mult > math.MaxInt64/2 {
		return 0, fmt.Errorf("%q is not a size: write it as a number and a unit, e.g. 500MB or 2GB", s)
	}
	return int64(math.Round(f * mult)), nil
}

func (r *runner) docLimit(args []string) error {
	fs := r.flags("doc limit")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 1 {
		return usagef("give one size, e.g. casevault doc limit 2GB (or none, to see the limit)")
	}
	var n int64
	if len(pos) == 1 {
		if n, err = parseSize(pos[0]); err != nil {
			return &usageError{err.Error()}
		}
		if n < app.MinDocumentLimit || n > app.MaxDocumentLimit {
			return usagef("the size limit for documents is from %s to %s, not %s", human.Size(app.MinDocumentLimit), human.Size(app.MaxDocumentLimit), human.Size(n))
		}
	}
	return r.open(func(s *app.Session) error {
		if len(pos) == 0 {
			limit := s.DocumentLimit()
			return r.out(struct {
				Limit int64 `json:"limit"`
			}{limit}, func(w io.Writer) {
				fmt.Fprintf(w, "Documents may be up to %s; a larger file is not added. To change it: casevault doc limit SIZE%s\n",
					human.Size(limit), r.vaultFlag())
			})
		}
		if err := s.SetDocumentLimit(r.ctx, n); err != nil {
			return err
		}
		return r.out(struct {
			Limit  int64  `json:"limit"`
			Change string `json:"change"`
		}{n, "set"}, func(w io.Writer) {
			fmt.Fprintf(w, "Documents may now be up to %s. Documents already in the vault are kept whatever their size.\n", human.Size(n))
		})
	})
}
