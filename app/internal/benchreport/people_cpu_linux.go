package main

import "syscall"

// threadTime is the calling thread's CPU time (user + system), in seconds;
// 0 when it cannot be read.
func threadTime() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(1 /* RUSAGE_THREAD */, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}
