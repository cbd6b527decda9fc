package app

import (
	"os"
	"syscall"
)

// fileStamp is what a stat says of a file beyond its size and modification
// time: its inode and change time (any write or metadata change moves it).
func fileStamp(fi os.FileInfo) [3]int64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return [3]int64{int64(st.Ino), int64(st.Ctim.Sec), int64(st.Ctim.Nsec)}
	}
	return [3]int64{}
}

// openNoBlock opens a file for reading without waiting on a pipe that a
// swap after the stat might have put there.
func openNoBlock(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
}
