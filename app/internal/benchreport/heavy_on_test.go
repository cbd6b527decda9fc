//go:build heavy

package main

const heavyTests = true
