// SPDX-License-Identifier: Apache-2.0
// Program entry point.
#include "cli/cli.h"

int main(int argc, char** argv) { return inferbench::cli::main(argc, argv); }
