package cli

import (
	"testing"
	"time"

	"casevault/app"
)

// One object of one is "1 of 1 object".
func TestProgressTextOneObject(t *testing.T) {
	if got := progressText(app.BackupProgress{Phase: "Reading the backup", Objects: 1, TotalObjects: 1}, time.Second); got != "Reading the backup: 1 of 1 object" {
		t.Errorf("progressText = %q", got)
	}
}
