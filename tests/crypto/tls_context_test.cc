// TLS contexts: building them from a generated certificate, rejecting a key that does
// not match, and real handshakes over loopback TCP with Asio.
#include "crypto/tls/context.h"

#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/ssl/stream.hpp>

#include <chrono>
#include <string>

#include "crypto/certificate.h"

namespace jejak::crypto::tls {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using SslStream = asio::ssl::stream<tcp::socket>;

const SelfSignedCertificate& Localhost() {
  static const SelfSignedCertificate certificate =
      MakeSelfSignedCertificate("localhost", {"localhost"}, {"127.0.0.1"}, std::chrono::hours(1));
  return certificate;
}

TEST(MakeServerContextTest, BuildsFromGeneratedCertificate) {
  Result<std::shared_ptr<asio::ssl::context>> context =
      MakeServerContext(Localhost().certificate_pem, Localhost().private_key_pem);
  ASSERT_TRUE(context.has_value()) << context.error().message;
  SSL_CTX* native = (*context)->native_handle();
  EXPECT_EQ(SSL_CTX_get_min_proto_version(native), TLS1_2_VERSION);
  EXPECT_EQ(SSL_CTX_get_max_proto_version(native), TLS1_3_VERSION);
  const uint64_t options = SSL_CTX_get_options(native);
  EXPECT_NE(options & SSL_OP_NO_COMPRESSION, 0u);
  EXPECT_NE(options & SSL_OP_NO_RENEGOTIATION, 0u);
  EXPECT_NE(options & SSL_OP_CIPHER_SERVER_PREFERENCE, 0u);
}

TEST(MakeServerContextTest, ReleasesBuffersOfIdleConnections) {
  Result<std::shared_ptr<asio::ssl::context>> context =
      MakeServerContext(Localhost().certificate_pem, Localhost().private_key_pem);
  ASSERT_TRUE(context.has_value()) << context.error().message;
  EXPECT_NE(SSL_CTX_get_mode((*context)->native_handle()) & SSL_MODE_RELEASE_BUFFERS, 0u);
}

TEST(MakeServerContextTest, KeepsNoSessionsForResumption) {
  Result<std::shared_ptr<asio::ssl::context>> context =
      MakeServerContext(Localhost().certificate_pem, Localhost().private_key_pem);
  ASSERT_TRUE(context.has_value()) << context.error().message;
  SSL_CTX* native = (*context)->native_handle();
  EXPECT_EQ(SSL_CTX_get_session_cache_mode(native), SSL_SESS_CACHE_OFF);
  EXPECT_EQ(SSL_CTX_get_num_tickets(native), 0u);
}

TEST(MakeServerContextTest, OnlyForwardSecretAeadSuitesForTls12) {
  Result<std::shared_ptr<asio::ssl::context>> context =
      MakeServerContext(Localhost().certificate_pem, Localhost().private_key_pem);
  ASSERT_TRUE(context.has_value());
  STACK_OF(SSL_CIPHER)* ciphers = SSL_CTX_get_ciphers((*context)->native_handle());
  ASSERT_NE(ciphers, nullptr);
  for (int i = 0; i < sk_SSL_CIPHER_num(ciphers); ++i) {
    const SSL_CIPHER* cipher = sk_SSL_CIPHER_value(ciphers, i);
    const std::string name = SSL_CIPHER_get_name(cipher);
    SCOPED_TRACE(name);
    EXPECT_TRUE(SSL_CIPHER_is_aead(cipher));
    const int kx = SSL_CIPHER_get_kx_nid(cipher);
    EXPECT_TRUE(kx == NID_kx_ecdhe || kx == NID_kx_any);  // kx_any: a TLS 1.3 suite.
  }
}

TEST(MakeServerContextTest, RejectsMismatchedKey) {
  const SelfSignedCertificate other =
      MakeSelfSignedCertificate("other", {"other"}, {}, std::chrono::hours(1));
  Result<std::shared_ptr<asio::ssl::context>> context =
      MakeServerContext(Localhost().certificate_pem, other.private_key_pem);
  ASSERT_FALSE(context.has_value());
  EXPECT_EQ(context.error().code, Code::kInvalidArgument);
  EXPECT_EQ(context.error().message, "TLS private key does not match the certificate");
  EXPECT_EQ(ERR_peek_error(), 0u);
}

TEST(MakeServerContextTest, RejectsGarbage) {
  Result<std::shared_ptr<asio::ssl::context>> no_certificate =
      MakeServerContext("not a certificate", Localhost().private_key_pem);
  ASSERT_FALSE(no_certificate.has_value());
  EXPECT_EQ(no_certificate.error().code, Code::kInvalidArgument);
  Result<std::shared_ptr<asio::ssl::context>> no_key =
      MakeServerContext(Localhost().certificate_pem, "not a key");
  ASSERT_FALSE(no_key.has_value());
  EXPECT_EQ(no_key.error().code, Code::kInvalidArgument);
  // A public key is not a private key.
  Result<std::shared_ptr<asio::ssl::context>> public_only =
      MakeServerContext(Localhost().certificate_pem, GenerateP256KeyPair().public_pem);
  EXPECT_FALSE(public_only.has_value());
}

TEST(MakeClientContextTest, RejectsGarbageCa) {
  Result<std::shared_ptr<asio::ssl::context>> context = MakeClientContext("garbage");
  ASSERT_FALSE(context.has_value());
  EXPECT_EQ(context.error().code, Code::kInvalidArgument);
}

TEST(MakeClientContextTest, VerifiesPeer) {
  Result<std::shared_ptr<asio::ssl::context>> context =
      MakeClientContext(std::string_view(Localhost().certificate_pem));
  ASSERT_TRUE(context.has_value()) << context.error().message;
  EXPECT_EQ(SSL_CTX_get_verify_mode((*context)->native_handle()) & SSL_VERIFY_PEER,
            SSL_VERIFY_PEER);
}

struct HandshakeOutcome {
  boost::system::error_code server_error;
  boost::system::error_code client_error;
  int version = 0;  // The negotiated version on the server side, if any.
};

// Runs one handshake between `server_context` and `client_context` over a loopback TCP
// connection, both sides on one io_context thread.
HandshakeOutcome Handshake(asio::ssl::context& server_context,
                           asio::ssl::context& client_context) {
  asio::io_context io;
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  SslStream server(io, server_context);
  SslStream client(io, client_context);
  client.set_verify_callback(asio::ssl::host_name_verification("localhost"));
  EXPECT_EQ(SSL_set_tlsext_host_name(client.native_handle(), "localhost"), 1);

  HandshakeOutcome outcome;
  acceptor.async_accept(server.next_layer(), [&](const boost::system::error_code& ec) {
    ASSERT_FALSE(ec) << ec.message();
    server.async_handshake(asio::ssl::stream_base::server,
                           [&](const boost::system::error_code& handshake_ec) {
                             outcome.server_error = handshake_ec;
                             if (!handshake_ec) outcome.version = SSL_version(server.native_handle());
                             // Unblock a client still waiting for the server's reply.
                             boost::system::error_code ignored;
                             server.next_layer().close(ignored);
                           });
  });
  client.next_layer().async_connect(acceptor.local_endpoint(),
                                    [&](const boost::system::error_code& ec) {
    ASSERT_FALSE(ec) << ec.message();
    client.async_handshake(asio::ssl::stream_base::client,
                           [&](const boost::system::error_code& handshake_ec) {
                             outcome.client_error = handshake_ec;
                           });
  });
  io.run_for(std::chrono::seconds(10));
  return outcome;
}

TEST(TlsHandshakeTest, NegotiatesTls13) {
  Result<std::shared_ptr<asio::ssl::context>> server_context =
      MakeServerContext(Localhost().certificate_pem, Localhost().private_key_pem);
  Result<std::shared_ptr<asio::ssl::context>> client_context =
      MakeClientContext(std::string_view(Localhost().certificate_pem));
  ASSERT_TRUE(server_context.has_value());
  ASSERT_TRUE(client_context.has_value());
  const HandshakeOutcome outcome = Handshake(**server_context, **client_context);
  EXPECT_FALSE(outcome.server_error) << outcome.server_error.message();
  EXPECT_FALSE(outcome.client_error) << outcome.client_error.message();
  EXPECT_EQ(outcome.version, TLS1_3_VERSION);
}

TEST(TlsHandshakeTest, NegotiatesTls12WithAClientLimitedToIt) {
  Result<std::shared_ptr<asio::ssl::context>> server_context =
      MakeServerContext(Localhost().certificate_pem, Localhost().private_key_pem);
  Result<std::shared_ptr<asio::ssl::context>> client_context =
      MakeClientContext(std::string_view(Localhost().certificate_pem));
  ASSERT_TRUE(server_context.has_value());
  ASSERT_TRUE(client_context.has_value());
  ASSERT_EQ(SSL_CTX_set_max_proto_version((*client_context)->native_handle(), TLS1_2_VERSION), 1);
  const HandshakeOutcome outcome = Handshake(**server_context, **client_context);
  EXPECT_FALSE(outcome.server_error) << outcome.server_error.message();
  EXPECT_FALSE(outcome.client_error) << outcome.client_error.message();
  EXPECT_EQ(outcome.version, TLS1_2_VERSION);
}

TEST(TlsHandshakeTest, ClientRejectsUntrustedServer) {
  const SelfSignedCertificate other =
      MakeSelfSignedCertificate("localhost", {"localhost"}, {}, std::chrono::hours(1));
  Result<std::shared_ptr<asio::ssl::context>> server_context =
      MakeServerContext(Localhost().certificate_pem, Localhost().private_key_pem);
  Result<std::shared_ptr<asio::ssl::context>> client_context =
      MakeClientContext(std::string_view(other.certificate_pem));
  ASSERT_TRUE(server_context.has_value());
  ASSERT_TRUE(client_context.has_value());
  const HandshakeOutcome outcome = Handshake(**server_context, **client_context);
  EXPECT_TRUE(outcome.client_error);
}

TEST(TlsHandshakeTest, RefusesTls11Client) {
  Result<std::shared_ptr<asio::ssl::context>> server_context =
      MakeServerContext(Localhost().certificate_pem, Localhost().private_key_pem);
  ASSERT_TRUE(server_context.has_value());
  // A deliberately old client: TLS 1.0 and 1.1 only, at security level 0 so that its
  // own library does not refuse first. Only the server can make this handshake fail.
  asio::ssl::context old_client(asio::ssl::context::tls_client);
  SSL_CTX* native = old_client.native_handle();
  ASSERT_EQ(SSL_CTX_set_min_proto_version(native, TLS1_VERSION), 1);
  ASSERT_EQ(SSL_CTX_set_max_proto_version(native, TLS1_1_VERSION), 1);
  ASSERT_EQ(SSL_CTX_set_cipher_list(native, "ALL:@SECLEVEL=0"), 1);
  old_client.set_verify_mode(asio::ssl::verify_none);

  const HandshakeOutcome outcome = Handshake(**server_context, old_client);
  ASSERT_TRUE(outcome.server_error);
  EXPECT_TRUE(outcome.client_error);
  EXPECT_EQ(outcome.version, 0);
  // The server refused because of the version, not for some incidental reason.
  EXPECT_EQ(outcome.server_error.category(), asio::error::get_ssl_category());
  EXPECT_EQ(ERR_GET_REASON(static_cast<unsigned long>(outcome.server_error.value())),
            SSL_R_UNSUPPORTED_PROTOCOL)
      << outcome.server_error.message();
}

}  // namespace
}  // namespace jejak::crypto::tls
