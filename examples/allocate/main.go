// Command allocate reads an allocation scenario,
// {"policy": …, "bill": …, "wallet": […]}, from -f FILE or standard input,
// and prints the resulting split as indented JSON, or as aligned tables with
// -table, followed by a legend: what "invoiceable" is and what each reason
// an instrument was skipped for means (nothing_left: the bill was already
// covered where the instrument may pay; its balance is untouched).
//
// On bad input it prints one message per problem on standard error, nothing
// on standard output, and exits with status 2.
//
//	go run ./examples/allocate -f scenario.json
//	go run ./examples/allocate -table < scenario.json
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/billfold/billfold/allocation"
	"github.com/billfold/billfold/examples/internal/splittable"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run is the whole program, with its inputs and outputs as arguments so it
// can be tested. It returns the exit status.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("allocate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	file := fs.String("f", "", "read the scenario from `FILE` instead of standard input")
	table := fs.Bool("table", false, "print aligned tables instead of JSON")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "allocate: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	var data []byte
	var err error
	if *file != "" {
		data, err = os.ReadFile(*file)
	} else {
		data, err = io.ReadAll(stdin)
	}
	if err != nil {
		fmt.Fprintf(stderr, "allocate: %v\n", err)
		return 2
	}
	if len(bytes.TrimSpace(data)) == 0 {
		fmt.Fprintln(stderr, "allocate: empty input: want a JSON scenario {\"policy\":…, \"bill\":…, \"wallet\":[…]}")
		return 2
	}
	sc, err := allocation.ParseScenario(data)
	if err != nil {
		return fail(stderr, err)
	}
	split, err := allocation.Allocate(sc.Bill, sc.Wallet, sc.Policy)
	if err != nil {
		return fail(stderr, err)
	}
	var out bytes.Buffer
	if *table {
		err = splittable.Write(&out, split)
	} else {
		var b []byte
		b, err = json.MarshalIndent(split, "", "  ")
		out.Write(b)
		out.WriteByte('\n')
	}
	if err != nil {
		fmt.Fprintf(stderr, "allocate: %v\n", err)
		return 1
	}
	if _, err := stdout.Write(out.Bytes()); err != nil {
		return 1
	}
	return 0
}

// fail prints every problem of err on its own line and returns status 2.
func fail(stderr io.Writer, err error) int {
	var inv *allocation.InvalidError
	if errors.As(err, &inv) {
		for _, p := range inv.Problems {
			fmt.Fprintf(stderr, "allocate: %s\n", p)
		}
	} else {
		fmt.Fprintf(stderr, "allocate: %v\n", err)
	}
	return 2
}
