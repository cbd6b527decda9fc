package store_test

import "syscall"

// threadTime is the calling thread's CPU time (user + system), in ns.
func threadTime() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(1 /* RUSAGE_THREAD */, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
