#include "serving/http_server.h"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <pthread.h>

#include <algorithm>
#include <optional>
#include <thread>
#include <vector>

namespace tfport::serving {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

}  // namespace

struct HttpServer::Impl {
  HttpServerOptions options;
  Handler handler;
  // One io_context per thread: a connection stays on the thread that accepted it, so a
  // request/response exchange needs no cross-thread wake-up. The acceptor lives on the first.
  std::vector<std::unique_ptr<net::io_context>> contexts;
  std::size_t next_context = 0;
  net::io_context ioc;  // the acceptor's
  tcp::acceptor acceptor{ioc};
  std::vector<std::thread> threads;
  std::atomic<int> in_flight{0};
  std::atomic<bool> draining{false};
  int bound_port = 0;

  void accept();
};

namespace {

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, HttpServer::Impl* server) : stream_(std::move(socket)), server_(server) {}

  void start() {
    net::dispatch(stream_.get_executor(), beast::bind_front_handler(&Session::read, shared_from_this()));
  }

 private:
  void read() {
    parser_.emplace();
    parser_->body_limit(server_->options.max_body_bytes);
    parser_->header_limit(64 * 1024);
    stream_.expires_after(server_->options.read_timeout);
    http::async_read_header(stream_, buffer_, *parser_,
                            beast::bind_front_handler(&Session::on_header, shared_from_this()));
  }

  // Clients such as curl send `Expect: 100-continue` with larger bodies and wait for the
  // interim answer before sending the body.
  void on_header(beast::error_code ec, std::size_t) {
    if (ec) return on_read(ec, 0);
    const auto& req = parser_->get();
    auto expect = req.find(http::field::expect);
    if (expect != req.end() && beast::iequals(expect->value(), "100-continue")) {
      auto interim = std::make_shared<http::response<http::empty_body>>(http::status::continue_, 11);
      http::async_write(stream_, *interim, [self = shared_from_this(), interim](beast::error_code wec, std::size_t) {
        if (wec) return self->close();
        self->read_body();
      });
      return;
    }
    read_body();
  }

  // A body of known length is read straight into the request's string with socket reads as
  // large as the kernel has data for, under one timer for the whole body. Beast's own body
  // read goes through the stream buffer in 64 KiB steps and re-arms the stream's timer on each
  // (a timerfd update and a copy per step: most of the time a 1 MB predict body took).
  void read_body() {
    http::request_parser<http::string_body>& p = *parser_;
    if (p.is_done()) return on_read({}, 0);
    if (p.chunked() || !p.content_length()) {
      return http::async_read(stream_, buffer_, p,
                              beast::bind_front_handler(&Session::on_read, shared_from_this()));
    }
    // The parser has checked the length against body_limit while reading the header.
    const std::size_t length = static_cast<std::size_t>(*p.content_length());
    body_.resize(length);
    const std::size_t buffered = std::min(length, buffer_.size());
    net::buffer_copy(net::buffer(body_.data(), buffered), buffer_.data());
    buffer_.consume(buffered);
    received_ = buffered;
    stream_.expires_never();
    body_timer_.expires_after(server_->options.read_timeout);
    reading_body_ = true;
    body_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      // reading_body_: an expiry already queued when the body completed must not cancel what
      // the connection does next.
      if (!ec && self->reading_body_) self->stream_.socket().cancel(ec);  // the read ends aborted
    });
    read_body_bytes();
  }

  void read_body_bytes() {
    if (received_ == body_.size()) {
      reading_body_ = false;
      body_timer_.cancel();
      return on_body(std::move(body_));
    }
    stream_.socket().async_read_some(
        net::buffer(body_.data() + received_, body_.size() - received_),
        [self = shared_from_this()](beast::error_code ec, std::size_t n) {
          if (ec) {
            self->reading_body_ = false;
            self->body_timer_.cancel();
            return self->close();
          }
          self->received_ += n;
          self->read_body_bytes();
        });
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec == http::error::end_of_stream || ec == beast::error::timeout || ec == net::error::operation_aborted) {
      return close();
    }
    if (ec == http::error::body_limit) {
      HttpResponse r;
      r.status = 413;
      r.body = "{\n    \"error\": \"Request body exceeds the server's limit of " +
               std::to_string(server_->options.max_body_bytes) + " bytes\"\n}";
      ++server_->in_flight;
      return write(std::move(r), false);
    }
    if (ec) return close();
    on_body(std::move(parser_->get().body()));
  }

  void on_body(std::string body) {
    auto& req = parser_->get();
    HttpRequest request;
    request.method = std::string(req.method_string());
    request.target = std::string(req.target());
    request.body = std::move(body);
    for (const auto& field : req) {
      std::string name(field.name_string());
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      request.headers.emplace_back(std::move(name), std::string(field.value()));
    }
    const bool keep_alive = req.keep_alive();
    ++server_->in_flight;
    HttpResponse response;
    try {
      response = server_->handler(request);
    } catch (const std::exception& e) {
      response.status = 500;
      response.body = "{\n    \"error\": \"internal error\"\n}";
    }
    write(std::move(response), keep_alive && !server_->draining.load());
  }

  void write(HttpResponse r, bool keep_alive) {
    auto res = std::make_shared<http::response<http::string_body>>(static_cast<http::status>(r.status), 11);
    res->set(http::field::content_type, r.content_type);
    for (const auto& [k, v] : r.headers) res->set(k, v);
    res->body() = std::move(r.body);
    res->keep_alive(keep_alive);
    res->prepare_payload();
    stream_.expires_after(server_->options.read_timeout);
    http::async_write(stream_, *res, [self = shared_from_this(), res](beast::error_code ec, std::size_t) {
      --self->server_->in_flight;  // counted until the answer is on the wire
      if (ec || !res->keep_alive()) return self->close();
      self->read();
    });
  }

  void close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  }

  beast::tcp_stream stream_;
  HttpServer::Impl* server_;
  beast::flat_buffer buffer_;
  net::steady_timer body_timer_{stream_.get_executor()};
  std::string body_;
  std::size_t received_ = 0;
  bool reading_body_ = false;
  std::optional<http::request_parser<http::string_body>> parser_;
};

}  // namespace

void HttpServer::Impl::accept() {
  net::io_context& target = contexts.empty() ? ioc : *contexts[next_context++ % contexts.size()];
  acceptor.async_accept(target, [this](beast::error_code ec, tcp::socket socket) {
    if (ec) {
      if (ec == net::error::operation_aborted || !acceptor.is_open()) return;
    } else {
      socket.set_option(tcp::no_delay(true), ec);
      std::make_shared<Session>(std::move(socket), this)->start();
    }
    accept();
  });
}

HttpServer::HttpServer(HttpServerOptions options, Handler handler) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  impl_->handler = std::move(handler);
}

HttpServer::~HttpServer() { shutdown(std::chrono::milliseconds(0)); }

Status HttpServer::start() {
  beast::error_code ec;
  auto address = net::ip::make_address(impl_->options.address, ec);
  if (ec) return invalid_argument_error("bad listen address " + impl_->options.address + ": " + ec.message());
  tcp::endpoint endpoint(address, static_cast<unsigned short>(impl_->options.port));
  auto& acc = impl_->acceptor;
  acc.open(endpoint.protocol(), ec);
  if (!ec) acc.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acc.bind(endpoint, ec);
  if (!ec) acc.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    return Status(StatusCode::kUnavailable,
                  "could not listen on " + impl_->options.address + ":" + std::to_string(impl_->options.port) + ": " +
                      ec.message());
  }
  impl_->bound_port = acc.local_endpoint().port();
  const int threads = std::max(1, impl_->options.threads);
  for (int i = 0; i < threads; ++i) impl_->contexts.push_back(std::make_unique<net::io_context>(1));
  impl_->accept();
  impl_->threads.emplace_back([this] {
    pthread_setname_np(pthread_self(), "http-accept");
    impl_->ioc.run();
  });
  for (int i = 0; i < threads; ++i) {
    net::io_context* ctx = impl_->contexts[static_cast<std::size_t>(i)].get();
    impl_->threads.emplace_back([ctx, i] {
      // Named so that profiles and `top -H` tell the HTTP threads (which run REST models) apart.
      pthread_setname_np(pthread_self(), ("http-" + std::to_string(i)).c_str());
      auto work = net::make_work_guard(*ctx);
      ctx->run();
    });
  }
  return Status::OK();
}

int HttpServer::port() const { return impl_->bound_port; }

void HttpServer::shutdown(std::chrono::milliseconds drain) {
  if (impl_->threads.empty()) return;
  impl_->draining = true;
  net::post(impl_->ioc, [this] {
    beast::error_code ec;
    impl_->acceptor.close(ec);
  });
  const auto deadline = std::chrono::steady_clock::now() + drain;
  while (impl_->in_flight.load() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  impl_->ioc.stop();
  for (auto& ctx : impl_->contexts) ctx->stop();
  for (auto& t : impl_->threads) t.join();
  impl_->threads.clear();
}

}  // namespace tfport::serving
