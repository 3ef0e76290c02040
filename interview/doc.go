// Package interview is Microlab's mock interview: the session and its rules
// (session.go: phases, countdowns, marks, scores) and the material that
// does not live on a page, the system-design prompts of the 30-minute
// round (design.go), read from content/interview/design.yaml and checked
// against the pages whose sections teach each rubric line.
//
// Like content and quiz, it is pure: it reads from an fs.FS the caller
// supplies and must never import net/http, database/sql, the store, the web
// package or anything else of ours that does I/O.
package interview
