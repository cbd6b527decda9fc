package retention_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"casevault/backup/retention"
)

// plus2 is a fixed zone two hours ahead of UTC: 00:30 local is 22:30 UTC
// the day before, which shows whether bucketing uses the local time.
var plus2 = time.FixedZone("UTC+2", 2*60*60)

func at(loc *time.Location, y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, loc)
}

func item(id string, t time.Time) retention.Item { return retention.Item{ID: id, Time: t} }

const (
	last    = "last snapshot"
	daily   = "daily snapshot"
	weekly  = "weekly snapshot"
	monthly = "monthly snapshot"
)

// kept returns the reasons of each kept item by ID.
func kept(ds []retention.Decision) map[string][]string {
	m := make(map[string][]string)
	for _, d := range ds {
		if d.Keep {
			m[d.Item.ID] = d.Reasons
		}
	}
	return m
}

// checkDecisions checks what must hold for any result of Apply(items, p):
// one decision per item, newest first with ties by ID, reasons exactly on
// kept items, and no rule keeping more than its count.
func checkDecisions(t *testing.T, items []retention.Item, p retention.Policy, ds []retention.Decision) {
	t.Helper()
	if len(ds) != len(items) {
		t.Fatalf("got %d decisions for %d items", len(ds), len(items))
	}
	want := slices.Clone(items)
	slices.SortFunc(want, func(a, b retention.Item) int {
		if c := b.Time.Compare(a.Time); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	perReason := map[string]int{}
	for i, d := range ds {
		if d.Item != want[i] {
			t.Fatalf("decision %d is for %v, want %v (newest first, ties by ID)", i, d.Item, want[i])
		}
		if d.Keep != (len(d.Reasons) > 0) {
			t.Fatalf("decision for %s: Keep=%v with reasons %q", d.Item.ID, d.Keep, d.Reasons)
		}
		for _, r := range d.Reasons {
			perReason[r]++
		}
	}
	for r, limit := range map[string]int{last: p.Last, daily: p.Daily, weekly: p.Weekly, monthly: p.Monthly} {
		if perReason[r] > limit {
			t.Fatalf("%d items kept as %q, policy allows %d", perReason[r], r, limit)
		}
	}
}

func TestApply(t *testing.T) {
	tests := []struct {
		name   string
		items  []retention.Item
		policy retention.Policy
		want   map[string][]string // kept ID -> reasons
	}{
		{
			name: "keep-last only",
			items: []retention.Item{
				item("a", at(time.UTC, 2024, 5, 1, 10, 0)),
				item("b", at(time.UTC, 2024, 5, 2, 10, 0)),
				item("c", at(time.UTC, 2024, 5, 2, 11, 0)),
				item("d", at(time.UTC, 2024, 5, 3, 10, 0)),
				item("e", at(time.UTC, 2024, 5, 9, 10, 0)),
			},
			policy: retention.Policy{Last: 3},
			want:   map[string][]string{"e": {last}, "d": {last}, "c": {last}},
		},
		{
			name: "keep-last counts snapshots not days",
			items: []retention.Item{
				item("a", at(plus2, 2024, 5, 1, 10, 0)),
				item("b", at(plus2, 2024, 5, 1, 11, 0)),
				item("c", at(plus2, 2024, 5, 1, 12, 0)),
			},
			policy: retention.Policy{Last: 2},
			want:   map[string][]string{"c": {last}, "b": {last}},
		},
		{
			name: "daily keeps the newest of each day",
			items: []retention.Item{
				item("mon-1", at(plus2, 2024, 5, 6, 8, 0)),
				item("mon-2", at(plus2, 2024, 5, 6, 12, 0)),
				item("mon-3", at(plus2, 2024, 5, 6, 23, 59)),
				item("tue-1", at(plus2, 2024, 5, 7, 9, 0)),
				item("tue-2", at(plus2, 2024, 5, 7, 17, 0)),
				// no snapshot on Wednesday: days without snapshots don't count
				item("thu-1", at(plus2, 2024, 5, 9, 0, 30)), // 2024-05-08 22:30 UTC
				item("thu-2", at(plus2, 2024, 5, 9, 1, 0)),
			},
			policy: retention.Policy{Daily: 3},
			want:   map[string][]string{"thu-2": {daily}, "tue-2": {daily}, "mon-3": {daily}},
		},
		{
			name: "daily uses the local day, not the UTC day",
			items: []retention.Item{
				item("wed-late", at(plus2, 2024, 5, 8, 21, 0)),  // 19:00 UTC Wed
				item("thu-early", at(plus2, 2024, 5, 9, 0, 30)), // 22:30 UTC Wed
			},
			policy: retention.Policy{Daily: 2},
			// In UTC both are on Wednesday and only thu-early would be kept.
			want: map[string][]string{"thu-early": {daily}, "wed-late": {daily}},
		},
		{
			name: "daily in UTC",
			items: []retention.Item{
				item("wed-late", at(plus2, 2024, 5, 8, 21, 0).In(time.UTC)),
				item("thu-early", at(plus2, 2024, 5, 9, 0, 30).In(time.UTC)),
			},
			policy: retention.Policy{Daily: 2},
			want:   map[string][]string{"thu-early": {daily}},
		},
		{
			// ISO 2020-W53 runs from Monday 2020-12-28 to Sunday 2021-01-03;
			// 2021-W01 starts Monday 2021-01-04. Bucketing by calendar year
			// and week number would split W53 into 2020-53 and 2021-53.
			name: "weekly across the ISO year boundary",
			items: []retention.Item{
				item("2020-12-21", at(time.UTC, 2020, 12, 21, 12, 0)), // 2020-W52
				item("2020-12-27", at(time.UTC, 2020, 12, 27, 12, 0)), // 2020-W52, Sunday
				item("2020-12-28", at(time.UTC, 2020, 12, 28, 12, 0)), // 2020-W53, Monday
				item("2020-12-31", at(time.UTC, 2020, 12, 31, 12, 0)), // 2020-W53
				item("2021-01-01", at(time.UTC, 2021, 1, 1, 12, 0)),   // 2020-W53
				item("2021-01-03", at(time.UTC, 2021, 1, 3, 12, 0)),   // 2020-W53, Sunday
				item("2021-01-04", at(time.UTC, 2021, 1, 4, 12, 0)),   // 2021-W01, Monday
				item("2021-01-08", at(time.UTC, 2021, 1, 8, 12, 0)),   // 2021-W01
			},
			policy: retention.Policy{Weekly: 3},
			want: map[string][]string{
				"2021-01-08": {weekly}, // 2021-W01
				"2021-01-03": {weekly}, // 2020-W53
				"2020-12-27": {weekly}, // 2020-W52
			},
		},
		{
			name: "weekly uses the local week",
			items: []retention.Item{
				item("sun", at(plus2, 2021, 1, 3, 20, 0)),
				// Monday 00:30 local is still Sunday (2020-W53) in UTC.
				item("mon-early", at(plus2, 2021, 1, 4, 0, 30)),
			},
			policy: retention.Policy{Weekly: 2},
			want:   map[string][]string{"mon-early": {weekly}, "sun": {weekly}},
		},
		{
			name: "monthly",
			items: []retention.Item{
				item("jan-05", at(plus2, 2024, 1, 5, 9, 0)),
				item("jan-31", at(plus2, 2024, 1, 31, 23, 0)), // 21:00 UTC
				// 2024-01-31 22:30 UTC: in UTC it, not jan-31, would be
				// January's newest.
				item("feb-01-early", at(plus2, 2024, 2, 1, 0, 30)),
				item("feb-15", at(plus2, 2024, 2, 15, 9, 0)),
				item("feb-29", at(plus2, 2024, 2, 29, 9, 0)),
				item("apr-02", at(plus2, 2024, 4, 2, 9, 0)), // no snapshot in March
				item("apr-03", at(plus2, 2024, 4, 3, 9, 0)),
			},
			policy: retention.Policy{Monthly: 3},
			want: map[string][]string{
				"apr-03": {monthly},
				"feb-29": {monthly},
				"jan-31": {monthly},
			},
		},
		{
			name: "combined rules add up reasons",
			items: []retention.Item{
				item("a", at(time.UTC, 2024, 3, 28, 9, 0)),  // Thu, W13, March
				item("b", at(time.UTC, 2024, 3, 31, 9, 0)),  // Sun, W13, March
				item("c", at(time.UTC, 2024, 4, 1, 9, 0)),   // Mon, W14, April
				item("d", at(time.UTC, 2024, 4, 2, 9, 0)),   // Tue, W14, April
				item("e", at(time.UTC, 2024, 4, 2, 18, 0)),  // Tue, W14, April
				item("f", at(time.UTC, 2024, 4, 3, 9, 0)),   // Wed, W14, April
				item("g", at(time.UTC, 2024, 4, 3, 12, 0)),  // Wed, W14, April
				item("h", at(time.UTC, 2024, 4, 3, 15, 30)), // Wed, W14, April
			},
			policy: retention.Policy{Last: 2, Daily: 2, Weekly: 2, Monthly: 2},
			want: map[string][]string{
				"h": {last, daily, weekly, monthly},
				"g": {last},
				"e": {daily},
				"b": {weekly, monthly},
			},
		},
		{
			name: "fewer snapshots than asked for keeps them all",
			items: []retention.Item{
				item("a", at(time.UTC, 2024, 1, 1, 9, 0)),
				item("b", at(time.UTC, 2024, 2, 1, 9, 0)),
				item("c", at(time.UTC, 2024, 3, 1, 9, 0)),
			},
			policy: retention.Policy{Last: 10},
			want:   map[string][]string{"a": {last}, "b": {last}, "c": {last}},
		},
		{
			// Two snapshots a day: with more days asked for than exist, the
			// newest of each day is kept and the older one still goes.
			name: "fewer days than asked for keeps the newest of each day",
			items: []retention.Item{
				item("a1", at(plus2, 2024, 1, 1, 9, 0)),
				item("a2", at(plus2, 2024, 1, 1, 19, 0)),
				item("b1", at(plus2, 2024, 1, 2, 9, 0)),
				item("b2", at(plus2, 2024, 1, 2, 19, 0)),
			},
			policy: retention.Policy{Daily: 7, Weekly: 4, Monthly: 12},
			want: map[string][]string{
				"b2": {daily, weekly, monthly},
				"a2": {daily},
			},
		},
		{
			name:   "empty input",
			items:  nil,
			policy: retention.Policy{Last: 1, Daily: 7},
			want:   map[string][]string{},
		},
		{
			name: "same time is broken by ID",
			items: []retention.Item{
				item("b", at(time.UTC, 2024, 1, 1, 9, 0)),
				item("c", at(time.UTC, 2024, 1, 1, 9, 0)),
				item("a", at(time.UTC, 2024, 1, 1, 9, 0)),
			},
			policy: retention.Policy{Last: 1, Daily: 1},
			want:   map[string][]string{"a": {last, daily}},
		},
		{
			// The same instant in two locations is one time for ordering.
			name: "same instant in different locations is a tie",
			items: []retention.Item{
				item("y", at(time.UTC, 2024, 1, 1, 9, 0)),
				item("x", at(time.UTC, 2024, 1, 1, 9, 0).In(plus2)),
			},
			policy: retention.Policy{Last: 1},
			want:   map[string][]string{"x": {last}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			orig := slices.Clone(tt.items)
			ds, err := retention.Apply(tt.items, tt.policy)
			if err != nil {
				t.Fatalf("Apply: %v", err)
			}
			if !slices.Equal(tt.items, orig) {
				t.Errorf("Apply modified its input")
			}
			if ds == nil {
				t.Errorf("Apply returned nil decisions, want a non-nil slice")
			}
			checkDecisions(t, tt.items, tt.policy, ds)
			if got := kept(ds); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("kept:\n got %v\nwant %v", got, tt.want)
			}

			// The order of the input doesn't matter.
			rev := slices.Clone(tt.items)
			slices.Reverse(rev)
			ds2, err := retention.Apply(rev, tt.policy)
			if err != nil {
				t.Fatalf("Apply reversed: %v", err)
			}
			if !reflect.DeepEqual(ds2, ds) {
				t.Errorf("reversed input gave different decisions:\n got %v\nwant %v", ds2, ds)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		policy  retention.Policy
		wantErr error  // nil for a valid policy
		wantMsg string // part of the message
	}{
		{retention.Policy{}, retention.ErrEmptyPolicy,
			"keep at least one snapshot: give --keep-last, --keep-daily, --keep-weekly or --keep-monthly"},
		{retention.Policy{Last: -1}, retention.ErrNegativeCount, "--keep-last -1: "},
		{retention.Policy{Daily: -1, Weekly: 4}, retention.ErrNegativeCount, "--keep-daily -1: "},
		{retention.Policy{Weekly: -2}, retention.ErrNegativeCount, "--keep-weekly -2: "},
		{retention.Policy{Monthly: -12}, retention.ErrNegativeCount, "--keep-monthly -12: "},
		{retention.Policy{Last: 3, Daily: -1, Monthly: -5}, retention.ErrNegativeCount,
			"--keep-daily -1, --keep-monthly -5: the number of snapshots to keep can't be negative"},
		{retention.Policy{Last: 1}, nil, ""},
		{retention.Policy{Daily: 1}, nil, ""},
		{retention.Policy{Weekly: 1}, nil, ""},
		{retention.Policy{Monthly: 1}, nil, ""},
		{retention.Policy{Last: 3, Daily: 7, Weekly: 4, Monthly: 12}, nil, ""},
	}
	items := []retention.Item{item("a", at(time.UTC, 2024, 1, 1, 0, 0))}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%+v", tt.policy), func(t *testing.T) {
			err := tt.policy.Validate()
			if tt.wantErr == nil {
				if err != nil {
					t.Fatalf("Validate: %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Validate: %v, want errors.Is %v", err, tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("Validate message %q doesn't contain %q", err, tt.wantMsg)
			}
			// Apply refuses the policy too and decides nothing, so a
			// caller can't go on to delete snapshots.
			ds, err := retention.Apply(items, tt.policy)
			if !errors.Is(err, tt.wantErr) || ds != nil {
				t.Errorf("Apply = %v, %v; want nil, %v", ds, err, tt.wantErr)
			}
		})
	}
}

func TestApplyRejectsDuplicateIDs(t *testing.T) {
	items := []retention.Item{
		item("a", at(time.UTC, 2024, 1, 1, 9, 0)),
		item("b", at(time.UTC, 2024, 1, 2, 9, 0)),
		item("a", at(time.UTC, 2024, 1, 3, 9, 0)),
	}
	ds, err := retention.Apply(items, retention.Policy{Last: 1})
	if err == nil || ds != nil {
		t.Fatalf("Apply = %v, %v; want an error for the duplicate ID", ds, err)
	}
	if !strings.Contains(err.Error(), `"a"`) {
		t.Errorf("error %q doesn't name the duplicate ID", err)
	}
}

func TestPolicyString(t *testing.T) {
	tests := []struct {
		p    retention.Policy
		want string
	}{
		{retention.Policy{Last: 3, Daily: 7, Weekly: 4, Monthly: 12}, "last 3, daily 7, weekly 4, monthly 12"},
		{retention.Policy{Daily: 7, Monthly: 3}, "daily 7, monthly 3"},
		{retention.Policy{Weekly: 1}, "weekly 1"},
		{retention.Policy{}, ""},
	}
	for _, tt := range tests {
		if got := tt.p.String(); got != tt.want {
			t.Errorf("%#v.String() = %q, want %q", tt.p, got, tt.want)
		}
	}
}

// referenceKept computes the kept set another way: for each rule, group the
// items by bucket, take each bucket's newest item, and keep the newest N of
// those.
func referenceKept(items []retention.Item, p retention.Policy) map[string][]string {
	newer := func(a, b retention.Item) bool {
		if c := a.Time.Compare(b.Time); c != 0 {
			return c > 0
		}
		return a.ID < b.ID
	}
	out := map[string][]string{}
	rules := []struct {
		n      int
		reason string
		key    func(retention.Item) string
	}{
		{p.Last, last, func(it retention.Item) string { return it.ID }},
		{p.Daily, daily, func(it retention.Item) string { return it.Time.Format("2006-01-02") }},
		{p.Weekly, weekly, func(it retention.Item) string {
			y, w := it.Time.ISOWeek()
			return fmt.Sprintf("%d-W%02d", y, w)
		}},
		{p.Monthly, monthly, func(it retention.Item) string { return it.Time.Format("2006-01") }},
	}
	for _, r := range rules {
		best := map[string]retention.Item{}
		for _, it := range items {
			k := r.key(it)
			if b, ok := best[k]; !ok || newer(it, b) {
				best[k] = it
			}
		}
		var reps []retention.Item
		for _, it := range best {
			reps = append(reps, it)
		}
		slices.SortFunc(reps, func(a, b retention.Item) int {
			if newer(a, b) {
				return -1
			}
			return 1
		})
		for i := 0; i < r.n && i < len(reps); i++ {
			out[reps[i].ID] = append(out[reps[i].ID], r.reason)
		}
	}
	return out
}

// TestApplyProperties applies random policies to random snapshot lists.
func TestApplyProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(20240331, 1))
	base := at(time.UTC, 2020, 11, 1, 0, 0)
	locs := []*time.Location{time.UTC, plus2}
	for iter := range 2000 {
		n := rng.IntN(60)
		// All items of one list share a location, as a caller's would.
		loc := locs[iter%len(locs)]
		items := make([]retention.Item, n)
		for i := range items {
			var tm time.Time
			if i > 0 && rng.IntN(8) == 0 {
				tm = items[rng.IntN(i)].Time // some snapshots share a time
			} else {
				// within about 15 months, to cross years, months and weeks
				tm = base.Add(time.Duration(rng.Int64N(int64(450 * 24 * time.Hour)))).Truncate(time.Minute).In(loc)
			}
			items[i] = item(fmt.Sprintf("id%03d", i), tm)
		}
		var p retention.Policy
		for p.Validate() != nil {
			p = retention.Policy{Last: rng.IntN(4), Daily: rng.IntN(9), Weekly: rng.IntN(6), Monthly: rng.IntN(5)}
		}

		ds, err := retention.Apply(items, p)
		if err != nil {
			t.Fatalf("iteration %d: Apply(%v): %v", iter, p, err)
		}
		checkDecisions(t, items, p, ds)
		got := kept(ds)
		if n > 0 {
			if len(got) == 0 {
				t.Fatalf("iteration %d: policy %v kept nothing of %d snapshots", iter, p, n)
			}
			if !ds[0].Keep {
				t.Fatalf("iteration %d: policy %v didn't keep the newest snapshot %v", iter, p, ds[0].Item)
			}
		}
		if limit := p.Last + p.Daily + p.Weekly + p.Monthly; len(got) > limit {
			t.Fatalf("iteration %d: policy %v kept %d snapshots, more than %d", iter, p, len(got), limit)
		}
		if want := referenceKept(items, p); !reflect.DeepEqual(got, want) {
			t.Fatalf("iteration %d: policy %v on %v:\n got %v\nwant %v", iter, p, items, got, want)
		}

		shuffled := slices.Clone(items)
		rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		ds2, err := retention.Apply(shuffled, p)
		if err != nil {
			t.Fatalf("iteration %d: Apply shuffled: %v", iter, err)
		}
		if !reflect.DeepEqual(ds2, ds) {
			t.Fatalf("iteration %d: shuffled input gave different decisions", iter)
		}
	}
}
