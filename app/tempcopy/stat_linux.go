package tempcopy

import (
	"os"
	"syscall"
	"time"
)

// statExtra is the change time and inode number, which tell a rewrite that
// kept size and modification time (a program setting mtime back) and a
// file renamed over the old one.
func statExtra(fi os.FileInfo) (ctime time.Time, ino uint64) {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return time.Unix(st.Ctim.Sec, st.Ctim.Nsec), st.Ino
	}
	return time.Time{}, 0
}
