package main

import "syscall"

// processTime is this process's CPU time (user + system, every thread), in
// seconds; 0 when it cannot be read. The review queue counts hits on
// several goroutines, which a thread's time would miss.
func processTime() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}
