module github.com/billfold/billfold

go 1.23

require (
	github.com/shopspring/decimal v1.6.0
	pgregory.net/rapid v1.3.0
)

require github.com/google/go-cmp v0.7.0
