//go:build !heavy

package main

const heavyTests = false
