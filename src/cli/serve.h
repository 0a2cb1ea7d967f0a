// `tfport serve`: TensorFlow Serving's tensorflow_model_server flags on tfport's server.
#pragma once

#include <CLI/CLI.hpp>

#include "serving/server.h"

namespace tfport::cli {

// Adds the `serve` subcommand with tensorflow_model_server's flags bound to `options`.
CLI::App* add_serve_command(CLI::App& app, serving::ServerOptions& options);

// Starts the server and blocks until SIGTERM or SIGINT, then drains requests in flight and
// returns.
Status run_serve(const serving::ServerOptions& options);

}  // namespace tfport::cli
