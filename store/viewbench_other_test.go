//go:build !linux

package store_test

// threadTime is not measured here (cpu-ns/op is not reported).
func threadTime() int64 { return 0 }
