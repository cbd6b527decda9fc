package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"casevault/app/human"
	"casevault/store"
)

// AuditLine is one audit entry in a lawyer's words, as the window's audit
// trail and `casevault audit list` show it: what happened with the names
// of the records ("Viewed client Jane Roe"), never their ids. A record the
// viewer may not see is "a restricted client" (or matter), one that is gone
// "a deleted client". Action and Records keep the entry's technical form
// for a "Technical details" part.
type AuditLine struct {
	ID     int64     `json:"id"`
	At     time.Time `json:"at"`
	Who    string    `json:"who"`
	What   string    `json:"what"`   // "Viewed client Jane Roe", "Added a note"
	About  string    `json:"about"`  // the records in words: "Client Jane Roe, matter Roe v. Acme"; "" when none
	Detail string    `json:"detail"` // the entry's own words, in full (a few technical forms said in words)
	// RawDetail is the entry's detail as recorded, when Detail says it
	// otherwise (for "Technical details").
	RawDetail string `json:"raw_detail,omitempty"`
	// Removed is the number of the destruction that removed the entry's
	// detail ("D-2026-0001"); Detail then says so in words.
	Removed string `json:"removed,omitempty"`
	Kind    string `json:"kind"`   // read, change, export, other
	Action  string `json:"action"` // technical: the action's code ("client.view")
	Records string `json:"records,omitempty"`
}

// AuditView lists the entries f selects, oldest first, as AuditList does
// (the same permission, one audit.list entry), in a lawyer's words. Names
// are read through the viewer's own view of the vault.
func (s *Session) AuditView(ctx context.Context, f store.AuditFilter) ([]AuditLine, error) {
	es, err := s.AuditList(ctx, f)
	if err != nil {
		return nil, err
	}
	out := make([]AuditLine, 0, len(es))
	err = s.st.View(ctx, func(tx *store.Tx) error {
		n := newAuditNames(tx)
		for _, e := range es {
			l, err := n.line(e)
			if err != nil {
				return err
			}
			out = append(out, l)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("naming the records of the audit trail: %w", err)
	}
	return out, nil
}

// auditNames names the records audit entries refer to, each looked up
// once: through the viewer's transaction (tx), and as Everyone only to
// tell a restricted record from a deleted one.
type auditNames struct {
	tx    *store.Tx
	names map[string]string // "client:12" → "client Jane Roe" / "a restricted client"
}

func newAuditNames(tx *store.Tx) *auditNames {
	return &auditNames{tx: tx, names: map[string]string{}}
}

// name is one record in words: "client Jane Roe", "matter Roe v. Acme",
// "a restricted client", "a deleted matter", "user Pat Jones".
func (n *auditNames) name(kind string, id int64) (string, error) {
	key := ref(kind, id)
	if w, ok := n.names[key]; ok {
		return w, nil
	}
	var w string
	var err error
	switch kind {
	case "client":
		w, err = n.record("client", func(tx *store.Tx) (string, error) {
			c, err := tx.GetClient(id)
			if err != nil {
				return "", err
			}
			return c.Name, nil
		})
	case "matter":
		w, err = n.record("matter", func(tx *store.Tx) (string, error) {
			m, err := tx.GetMatter(id)
			if err != nil {
				return "", err
			}
			return m.Title, nil
		})
	case "user":
		u, uerr := n.tx.As(store.Everyone).GetUser(id)
		switch {
		case errors.Is(uerr, store.ErrNotFound):
			w = "a removed user"
		case uerr != nil:
			err = uerr
		default:
			w = "user " + u.Name
		}
	case "note":
		w = "a note"
	case "party":
		w = "a party"
	case "conflict_check":
		w = fmt.Sprintf("conflict check no. %d", id)
	default:
		w = strings.ReplaceAll(kind, "_", " ") + fmt.Sprintf(" no. %d", id)
	}
	if err != nil {
		return "", fmt.Errorf("%s: %w", key, err)
	}
	n.names[key] = w
	return w, nil
}

// record is "KIND NAME" when the viewer sees the record, "a restricted
// KIND" when only Everyone does, "a deleted KIND" when nobody does.
func (n *auditNames) record(kind string, get func(*store.Tx) (string, error)) (string, error) {
	name, err := get(n.tx)
	if err == nil {
		return kind + " " + oneLine(name), nil
	}
	if !errors.Is(err, store.ErrNotFound) {
		return "", err
	}
	if _, err := get(n.tx.As(store.Everyone)); err == nil {
		return "a restricted " + kind, nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return "", err
	}
	return "a deleted " + kind, nil
}

// oneLine keeps a name on one line: control characters (escape codes, line
// breaks) become spaces.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return ' '
		}
		return r
	}, s)
}

func (n *auditNames) line(e *store.AuditEntry) (AuditLine, error) {
	l := AuditLine{ID: e.ID, At: e.At, Who: e.Actor, Detail: detailWords(e.Action, e.Detail), Kind: actionKind(e.Action),
		Action: e.Action, Records: e.Records, Removed: e.Redaction}
	if e.Redaction != "" {
		l.Detail = RedactedWords(e.Redaction)
	} else if l.Detail != e.Detail {
		l.RawDetail = e.Detail
	}
	var words []string
	first := map[string]string{} // kind → the first record of that kind, in words
	for _, f := range strings.Fields(e.Records) {
		k, v, ok := strings.Cut(f, ":")
		id, err := strconv.ParseInt(v, 10, 64)
		if !ok || err != nil {
			words = append(words, f)
			continue
		}
		w, err := n.name(k, id)
		if err != nil {
			return l, err
		}
		words = append(words, w)
		if _, seen := first[k]; !seen {
			first[k] = w
		}
	}
	l.About = human.Capitalize(strings.Join(words, ", "))
	l.What = ActionWords(e.Action)
	// "Viewed client" + "client Jane Roe" → "Viewed client Jane Roe";
	// "Viewed client" + "a restricted client" → "Viewed a restricted client";
	// "Deleted a client" stays (About names it).
	for _, k := range []string{"client", "matter"} {
		w, ok := first[k]
		if !ok || !strings.HasSuffix(l.What, " "+k) || strings.HasSuffix(l.What, " a "+k) {
			continue
		}
		if strings.HasPrefix(w, "a ") {
			l.What = strings.TrimSuffix(l.What, k) + w
		} else {
			l.What += strings.TrimPrefix(w, k)
		}
	}
	return l, nil
}

// conflictDetail is a conflict check's recorded detail: the names searched
// (a JSON array) and the number of hits.
var conflictDetail = regexp.MustCompile(`^names (\[.*\]), (\d+) hits?$`)

// detailWords says a recorded detail in words where it is in a technical
// form: a conflict check's `names ["A","B"], 2 hits` is "Names checked: A,
// B. 2 possible conflicts." Anything else is as recorded.
func detailWords(action, detail string) string {
	if action != "conflict.check" {
		return detail
	}
	m := conflictDetail.FindStringSubmatch(detail)
	if m == nil {
		return detail
	}
	var names []string
	n, err := strconv.Atoi(m[2])
	if json.Unmarshal([]byte(m[1]), &names) != nil || err != nil {
		return detail
	}
	for i, x := range names {
		names[i] = oneLine(x)
	}
	found := "No possible conflict."
	if n > 0 {
		found = human.Capitalize(human.Count(n, "possible conflict", "possible conflicts")) + "."
	}
	return "Names checked: " + strings.Join(names, ", ") + ". " + found
}
