// Package retention decides which backup snapshots to keep, the way a
// `forget --keep-last N --keep-daily N --keep-weekly N --keep-monthly N`
// command does.
//
// The rules follow restic's forget policy (internal/restic/snapshot_policy.go):
//
//   - Snapshots are considered newest first.
//   - keep-last N keeps the N newest snapshots.
//   - keep-daily N keeps, for each of the N most recent days that have
//     snapshots, the newest snapshot of that day. keep-weekly uses the ISO
//     8601 year and week (so 2021-01-03 belongs to 2020-W53), keep-monthly
//     the calendar year and month.
//   - A snapshot kept by any rule is kept; every rule that keeps it adds its
//     reason.
//
// Days, weeks and months are taken in each time's own location: callers pass
// times in the user's local time zone.
//
// Unlike restic, a policy that keeps nothing is an error (it never means
// "keep everything", and never "delete everything"), negative counts are
// errors (there is no -1 for "unlimited"), and restic 0.17's extra rule that
// also keeps the oldest snapshot while a rule still has counts left is not
// implemented.
package retention

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Policy says how many snapshots each rule keeps. Zero turns a rule off; at
// least one rule must be non-zero.
type Policy struct {
	Last    int // the N newest snapshots
	Daily   int // the newest snapshot of each of the N most recent days
	Weekly  int // the newest snapshot of each of the N most recent ISO weeks
	Monthly int // the newest snapshot of each of the N most recent months
}

// Errors returned by Policy.Validate (and so by Apply), for use with
// errors.Is. The messages the user sees are more specific.
var (
	// ErrEmptyPolicy means every count is zero, so nothing would be kept.
	ErrEmptyPolicy = errors.New("retention: policy keeps nothing")
	// ErrNegativeCount means a count is below zero.
	ErrNegativeCount = errors.New("retention: negative count")
)

// validationError carries a message meant for the user and a sentinel for
// errors.Is.
type validationError struct {
	msg  string
	kind error
}

func (e *validationError) Error() string { return e.msg }
func (e *validationError) Unwrap() error { return e.kind }

// rule is one of the policy's rules, in the order reasons are reported.
type rule struct {
	flag   string // command-line flag, for error messages
	name   string // short name, for String
	reason string // reason recorded on a kept snapshot
	count  int
	// bucket returns the bucket key of a snapshot; nr is the snapshot's
	// position in newest-first order.
	bucket func(t time.Time, nr int) int
}

func (p Policy) rules() [4]rule {
	return [4]rule{
		{"--keep-last", "last", "last snapshot", p.Last, byPosition},
		{"--keep-daily", "daily", "daily snapshot", p.Daily, byDay},
		{"--keep-weekly", "weekly", "weekly snapshot", p.Weekly, byISOWeek},
		{"--keep-monthly", "monthly", "monthly snapshot", p.Monthly, byMonth},
	}
}

// byPosition puts every snapshot in a bucket of its own.
func byPosition(_ time.Time, nr int) int { return nr }

// byDay returns YYYYMMDD in t's location.
func byDay(t time.Time, _ int) int {
	return t.Year()*10000 + int(t.Month())*100 + t.Day()
}

// byISOWeek returns the ISO 8601 year and week as YYYYWW in t's location.
func byISOWeek(t time.Time, _ int) int {
	year, week := t.ISOWeek()
	return year*100 + week
}

// byMonth returns YYYYMM in t's location.
func byMonth(t time.Time, _ int) int {
	return t.Year()*100 + int(t.Month())
}

// Validate reports whether p can be applied. A policy must keep something:
// at least one count above zero and none below zero. The error message is
// meant to be shown to the user as is.
func (p Policy) Validate() error {
	var negative []string
	nonZero := false
	for _, r := range p.rules() {
		if r.count < 0 {
			negative = append(negative, fmt.Sprintf("%s %d", r.flag, r.count))
		}
		if r.count != 0 {
			nonZero = true
		}
	}
	if len(negative) > 0 {
		return &validationError{
			msg: fmt.Sprintf("%s: the number of snapshots to keep can't be negative; "+
				"give 0 to switch a rule off, or how many snapshots to keep",
				strings.Join(negative, ", ")),
			kind: ErrNegativeCount,
		}
	}
	if !nonZero {
		return &validationError{
			msg:  "keep at least one snapshot: give --keep-last, --keep-daily, --keep-weekly or --keep-monthly",
			kind: ErrEmptyPolicy,
		}
	}
	return nil
}

// String describes p, e.g. "last 3, daily 7, weekly 4, monthly 12". Rules
// set to zero are left out, so a policy with every count zero gives "".
func (p Policy) String() string {
	var parts []string
	for _, r := range p.rules() {
		if r.count != 0 {
			parts = append(parts, fmt.Sprintf("%s %d", r.name, r.count))
		}
	}
	return strings.Join(parts, ", ")
}

// Item is a snapshot as far as the policy is concerned.
type Item struct {
	ID   string
	Time time.Time
}

// Decision is what the policy decided for one item. Reasons lists, in the
// order last, daily, weekly, monthly, every rule that keeps the item, e.g.
// "last snapshot" or "daily snapshot"; it is nil when Keep is false.
type Decision struct {
	Item    Item
	Keep    bool
	Reasons []string
}

// compareNewestFirst orders items newest first; items made at the same
// instant are ordered by ID so the result doesn't depend on input order.
func compareNewestFirst(a, b Item) int {
	// Round(0) drops monotonic clock readings so only wall times are compared.
	if c := b.Time.Round(0).Compare(a.Time.Round(0)); c != 0 {
		return c
	}
	return strings.Compare(a.ID, b.ID)
}

// Apply decides which items to keep under p. It returns one decision per
// item, ordered newest first; items with the same time are ordered by ID,
// and the first of them counts as the newer one. items is not modified.
//
// Apply returns an error, and no decisions, if p is not valid (see
// Validate) or if two items have the same ID, since a caller deleting by ID
// could then delete a snapshot the policy keeps. An empty list of items
// gives an empty list of decisions.
func Apply(items []Item, p Policy) ([]Decision, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	sorted := slices.Clone(items)
	slices.SortFunc(sorted, compareNewestFirst)
	seenID := make(map[string]bool, len(sorted))
	for _, it := range sorted {
		if seenID[it.ID] {
			return nil, fmt.Errorf("retention: snapshot ID %q appears more than once", it.ID)
		}
		seenID[it.ID] = true
	}

	type state struct {
		left int
		seen map[int]bool // bucket keys already used
	}
	rules := p.rules()
	var states [len(rules)]state
	for i, r := range rules {
		states[i] = state{left: r.count, seen: make(map[int]bool)}
	}

	decisions := make([]Decision, len(sorted))
	for nr, it := range sorted {
		d := Decision{Item: it}
		for i, r := range rules {
			s := &states[i]
			if s.left <= 0 {
				continue
			}
			// Restic compares with the previous snapshot's bucket; a set
			// gives the same result when buckets are contiguous (items in
			// one location) and still counts each bucket once when items
			// from different locations interleave.
			key := r.bucket(it.Time, nr)
			if s.seen[key] {
				continue
			}
			s.seen[key] = true
			s.left--
			d.Keep = true
			d.Reasons = append(d.Reasons, r.reason)
		}
		decisions[nr] = d
	}
	return decisions, nil
}
