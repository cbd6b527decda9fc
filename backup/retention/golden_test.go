package retention_test

import (
	"reflect"
	"testing"
	"time"

	"casevault/backup/retention"
)

// goldenFixture is three months of snapshots (January to March 2024) in the
// UTC+2 zone: weekly in January and February, then about daily in March,
// with several a day at the end. ISO weeks of 2024 start on Mondays:
// W01 = Jan 1-7, W05 = Jan 29-Feb 4, W09 = Feb 26-Mar 3 (2024 is a leap
// year), W10 = Mar 4-10, W11 = Mar 11-17, W12 = Mar 18-24,
// W13 = Mar 25-31.
func goldenFixture() []retention.Item {
	z := plus2
	return []retention.Item{
		item("jan03", at(z, 2024, 1, 3, 9, 0)),   // W01
		item("jan10", at(z, 2024, 1, 10, 9, 0)),  // W02
		item("jan17", at(z, 2024, 1, 17, 9, 0)),  // W03
		item("jan24", at(z, 2024, 1, 24, 9, 0)),  // W04
		item("jan31", at(z, 2024, 1, 31, 9, 0)),  // W05
		item("feb02", at(z, 2024, 2, 2, 9, 0)),   // W05, same week as jan31
		item("feb07", at(z, 2024, 2, 7, 9, 0)),   // W06
		item("feb14", at(z, 2024, 2, 14, 9, 0)),  // W07
		item("feb21", at(z, 2024, 2, 21, 9, 0)),  // W08
		item("feb28", at(z, 2024, 2, 28, 9, 0)),  // W09
		item("mar01", at(z, 2024, 3, 1, 0, 30)),  // W09; Feb 29 22:30 UTC
		item("mar06", at(z, 2024, 3, 6, 9, 0)),   // W10
		item("mar13", at(z, 2024, 3, 13, 9, 0)),  // W11
		item("mar18", at(z, 2024, 3, 18, 9, 0)),  // W12, Monday
		item("mar20", at(z, 2024, 3, 20, 9, 0)),  // W12
		item("mar22", at(z, 2024, 3, 22, 9, 0)),  // W12
		item("mar24a", at(z, 2024, 3, 24, 9, 0)), // W12, Sunday
		item("mar24b", at(z, 2024, 3, 24, 21, 0)),
		item("mar25a", at(z, 2024, 3, 25, 9, 0)), // W13, Monday
		item("mar25b", at(z, 2024, 3, 25, 13, 0)),
		item("mar25c", at(z, 2024, 3, 25, 18, 0)),
		item("mar26", at(z, 2024, 3, 26, 9, 0)),
		item("mar27a", at(z, 2024, 3, 27, 9, 0)),
		item("mar27b", at(z, 2024, 3, 27, 23, 59)),
		item("mar28", at(z, 2024, 3, 28, 9, 0)),
		item("mar29a", at(z, 2024, 3, 29, 9, 0)), // same time as mar29b
		item("mar29b", at(z, 2024, 3, 29, 9, 0)),
		item("mar30a", at(z, 2024, 3, 30, 9, 0)),
		item("mar30b", at(z, 2024, 3, 30, 12, 0)),
		item("mar31a", at(z, 2024, 3, 31, 8, 0)),
		item("mar31b", at(z, 2024, 3, 31, 20, 0)), // W13, Sunday, the newest
	}
}

// TestGolden checks policy "daily 7, weekly 4, monthly 3" on goldenFixture
// against a result worked out by hand. Going newest first:
//
// Daily 7: the seven most recent days with snapshots are Mar 31 down to
// Mar 25, and the newest of each is kept: mar31b (not mar31a, 08:00),
// mar30b (12:00, not 09:00), mar29a (mar29a and mar29b have the same time,
// and ties go by ID, so mar29a counts as the newer), mar28, mar27b (23:59),
// mar26 and mar25c (18:00). Mar 24 would be the eighth day.
//
// Weekly 4: W13 (Mar 25-31) -> mar31b; W12 (Mar 18-24) -> mar24b (Sunday
// 21:00); W11 -> mar13; W10 -> mar06. W09 would be the fifth week.
//
// Monthly 3: March -> mar31b; February -> feb28; January -> jan31.
// mar01 at 00:30 local time is Feb 29 22:30 UTC: in local time it is a
// March snapshot, so it is not February's newest and is removed. (Bucketed
// in UTC it would replace feb28; TestGoldenUTC checks that.)
//
// That keeps 12 of the 31 snapshots; 14 (7+4+3) would be the most possible,
// but mar31b is counted by all three rules.
func TestGolden(t *testing.T) {
	want := map[string][]string{
		"mar31b": {daily, weekly, monthly},
		"mar30b": {daily},
		"mar29a": {daily},
		"mar28":  {daily},
		"mar27b": {daily},
		"mar26":  {daily},
		"mar25c": {daily},
		"mar24b": {weekly},
		"mar13":  {weekly},
		"mar06":  {weekly},
		"feb28":  {monthly},
		"jan31":  {monthly},
	}
	items := goldenFixture()
	p := retention.Policy{Daily: 7, Weekly: 4, Monthly: 3}
	ds, err := retention.Apply(items, p)
	if err != nil {
		t.Fatalf("Apply: %v", err)
	}
	checkDecisions(t, items, p, ds)
	if got := kept(ds); !reflect.DeepEqual(got, want) {
		t.Errorf("kept:\n got %v\nwant %v", got, want)
	}
	if len(ds) != 31 || ds[0].Item.ID != "mar31b" || ds[len(ds)-1].Item.ID != "jan03" {
		t.Errorf("decisions not newest first: %d decisions, first %s, last %s",
			len(ds), ds[0].Item.ID, ds[len(ds)-1].Item.ID)
	}
}

// TestGoldenUTC runs the same snapshots given in UTC. Only mar01 moves to
// another bucket that matters: it becomes February's newest (Feb 29 22:30)
// and is kept instead of feb28. Every other snapshot is between 06:00 and
// 21:59 UTC, so its day, week and month don't change.
func TestGoldenUTC(t *testing.T) {
	items := goldenFixture()
	for i := range items {
		items[i].Time = items[i].Time.In(time.UTC)
	}
	want := map[string][]string{
		"mar31b": {daily, weekly, monthly},
		"mar30b": {daily},
		"mar29a": {daily},
		"mar28":  {daily},
		"mar27b": {daily},
		"mar26":  {daily},
		"mar25c": {daily},
		"mar24b": {weekly},
		"mar13":  {weekly},
		"mar06":  {weekly},
		"mar01":  {monthly},
		"jan31":  {monthly},
	}
	ds, err := retention.Apply(items, retention.Policy{Daily: 7, Weekly: 4, Monthly: 3})
	if err != nil {
		t.Fatalf("Apply: %v", err)
	}
	if got := kept(ds); !reflect.DeepEqual(got, want) {
		t.Errorf("kept:\n got %v\nwant %v", got, want)
	}
}
