// Deterministic keys and signed objects for fuzz seeds and for targets that need a
// trusted key: a log signer, a cosigner and a checkpoint they signed.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "crypto/ed25519.h"
#include "ledger/checkpoint.h"
#include "ledger/note.h"

namespace jejak::fuzz {

inline crypto::PrivateKey KeyFromByte(std::uint8_t first) {
  std::array<std::uint8_t, 32> seed{};
  for (std::size_t i = 0; i < seed.size(); ++i) seed[i] = static_cast<std::uint8_t>(first + i);
  return crypto::KeyFromSeed(seed);
}

inline constexpr char kOrigin[] = "jejak.example/fuzz";
inline constexpr char kCosignerName[] = "bpk.example/fuzz-auditor";

// The log's signer; its verifier is what targets trust.
inline const ledger::NoteSigner& LogSigner() {
  static const ledger::NoteSigner signer = ledger::MakeSigner(kOrigin, KeyFromByte(0));
  return signer;
}

inline const crypto::PrivateKey& CosignerPrivateKey() {
  static const crypto::PrivateKey key = KeyFromByte(32);
  return key;
}

inline ledger::Checkpoint SampleCheckpoint(std::uint64_t tree_size) {
  ledger::Checkpoint checkpoint;
  checkpoint.origin = kOrigin;
  checkpoint.tree_size = tree_size;
  for (std::size_t i = 0; i < checkpoint.root_hash.size(); ++i) {
    checkpoint.root_hash[i] = static_cast<std::uint8_t>(i * 7 + tree_size);
    checkpoint.chain_hash[i] = static_cast<std::uint8_t>(0xAB);
  }
  checkpoint.time = "2026-11-22T10:00:00.000Z";
  return checkpoint;
}

}  // namespace jejak::fuzz
