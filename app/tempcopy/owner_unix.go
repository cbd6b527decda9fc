//go:build unix

package tempcopy

import (
	"os"
	"strconv"
	"syscall"
)

// ownedByMe: fi's owner is this process's user.
func ownedByMe(fi os.FileInfo) bool {
	st, ok := fi.Sys().(*syscall.Stat_t)
	return ok && int(st.Uid) == os.Getuid()
}

// userSuffix tells this user's copies folder from another's in a shared
// folder such as /dev/shm or /tmp.
func userSuffix() string { return "-" + strconv.Itoa(os.Getuid()) }
