// The Go round trip (tests/languages/test_go.py runs `go test` here). The generated client is a
// local module: its path has no dot, so `go` never tries to download it, and the replace points at it.
module twofactor-toolkit/tests/languages/go

go 1.19

require twofactor-toolkit/generated/go/twofactor v0.0.0

replace twofactor-toolkit/generated/go/twofactor => ../../../generated/go/twofactor
