//go:build !linux

package tempcopy

import (
	"os"
	"time"
)

func statExtra(os.FileInfo) (time.Time, uint64) { return time.Time{}, 0 }
