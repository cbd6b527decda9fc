package app

import "casevault/store"

// SnippetPart is a piece of a search hit's snippet: text, and whether it
// is what matched.
type SnippetPart = store.SnippetPart

// SnippetParts reads a search hit's snippet (store.SnippetParts): the
// matches were in [brackets], and a literal bracket or backslash of the
// text had a backslash before it.
func SnippetParts(s string) []SnippetPart { return store.SnippetParts(s) }
