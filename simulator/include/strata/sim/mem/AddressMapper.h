//===- AddressMapper.h - HBM byte address <-> stack/channel/bank/row -*- C++ -*-===//
//
// Three mappings (hbm.addressMapping). interleaved and row-major are
// mixed-radix so that counts need not be powers of two. Fields from least to
// most significant:
//
//   interleaved: offset in chunk (interleaveBytes) | pseudo-channel | channel |
//                stack | bank group | bank | chunk in row | row
//   row-major:   column (rowBytes) | pseudo-channel | channel | stack |
//                bank group | bank | row
//   hashed:      the interleaved digits, then (powers of two only)
//                  pc   = pcDigit XOR spread(bankDigit) XOR fold(row, p)
//                  bank = bankDigit XOR fold(row, b)
//                where p = log2 pcs, b = log2 banks, spread(d) = (d XOR
//                d << (p - b)) mod 2^p if p > b, d if p = b, fold(d, p) if
//                p < b, pcDigit is the pseudo-channel digit
//                over all stacks (pseudo-channel | channel | stack), bankDigit
//                the bank digit (bank group | bank) and fold(v, n) the XOR of
//                v's consecutive n-bit fields.
//
// Hashing spreads power-of-two strides (a weight tile's rows 8 KiB apart)
// over every pseudo-channel and bank. The hash of the pseudo-channel reads
// only digits above it and the hash of the bank only the row, so decode and
// encode stay inverse, every aligned stripe of interleaveBytes x pcs bytes
// still holds one chunk of every pseudo-channel (all at one bank, row and
// chunk in row), and every super-block still one row of every bank. Neither
// hash reads the chunk in row: the chunks of a bank's row stay together in
// one pseudo-channel, as interleaved keeps them, so their row hits stay.
//
// "interleaved" rotates consecutive interleaveBytes chunks across all
// pseudo-channels (of all channels and stacks), then across bank groups and
// banks; a pseudo-channel's next chunk of the same row comes back after all
// banks. "row-major" keeps a whole row (rowBytes) in one bank before moving
// to the next pseudo-channel. In both, one "super-block" of
// rowBytes x banks x pseudo-channels bytes touches every bank of every
// pseudo-channel in one row (the analytic model uses that).
//
//===----------------------------------------------------------------------===//
#pragma once

#include "strata/support/Error.h"
#include "strata/target/ArchConfig.h"

#include <cstdint>

namespace strata::sim::mem {

/// Where a byte lives.
struct DramLocation {
  uint32_t stack = 0, channel = 0, pseudoChannel = 0; ///< channel within stack
  uint32_t bankGroup = 0, bank = 0;                  ///< bank within group
  uint32_t row = 0;
  uint32_t column = 0; ///< byte offset within the row

  /// Index of the pseudo-channel over the whole memory, 0 .. totalPcs-1:
  /// ((stack * channels) + channel) * pseudoChannels + pc.
  uint32_t globalPc = 0;
  /// Index of the channel over the whole memory: stack * channels + channel.
  uint32_t globalChannel = 0;
  /// Bank within the pseudo-channel: bankGroup * banksPerGroup + bank.
  uint32_t pcBank = 0;
};

/// Checks the HBM geometry and timing for what the memory model needs;
/// the message names the field.
Status validateHbmConfig(const HbmConfig &hbm);

class AddressMapper {
public:
  /// `hbm` must have passed validateHbmConfig.
  explicit AddressMapper(const HbmConfig &hbm);

  DramLocation decode(uint64_t address) const;
  /// Inverse of decode (location fields; the derived indices are ignored).
  uint64_t encode(const DramLocation &location) const;
  /// The location of the next chunk after the one holding `location`
  /// (decode(a + contiguousBytes(a)) without the divisions): walks of long
  /// ranges step through the mapping's digits instead of decoding each chunk.
  void advanceChunk(DramLocation &location) const {
    // Most steps of an unhashed mapping move only the pseudo-channel or
    // channel digit (the walk of a small transfer is a few such steps).
    if (!hashed_) {
      if (location.pseudoChannel + 1 < pcs_) {
        ++location.pseudoChannel;
        ++location.globalPc;
        location.column -= uint32_t(location.column % chunkBytes_);
        return;
      }
      if (location.channel + 1 < channels_) {
        location.pseudoChannel = 0;
        ++location.channel;
        ++location.globalChannel;
        ++location.globalPc;
        location.column -= uint32_t(location.column % chunkBytes_);
        return;
      }
    }
    advanceChunkCarrying(location);
  }

  /// Bytes from `address` to the next point where the mapping moves to
  /// another pseudo-channel, bank or row.
  uint64_t contiguousBytes(uint64_t address) const {
    return chunkBytes_ - address % chunkBytes_;
  }
  uint64_t chunkBytes() const { return chunkBytes_; }
  /// rowBytes x banks per pseudo-channel x all pseudo-channels.
  uint64_t superBlockBytes() const { return superBlockBytes_; }
  uint64_t capacity() const { return capacity_; }
  uint32_t rowsPerBank() const { return rows_; }
  uint32_t totalPseudoChannels() const { return totalPcs_; }
  uint32_t banksPerPseudoChannel() const { return banksPerPc_; }
  /// True for "interleaved" and "hashed" (both rotate chunks, not rows).
  bool interleaved() const { return interleaved_; }
  bool hashed() const { return hashed_; }

private:
  /// advanceChunk where a carry reaches the stack digit or the hash.
  void advanceChunkCarrying(DramLocation &location) const;
  /// XOR of `value`'s consecutive `bits`-wide fields.
  static uint32_t fold(uint64_t value, uint32_t bits);
  /// What the pseudo-channel digit is XOR-ed with.
  uint32_t pcHash(uint32_t bankDigit, uint64_t row) const;
  /// Fills `l` from the hashed mapping's address digits: the pseudo-channel
  /// digit and the digits above it (bank | chunk in row | row).
  void placeHashed(DramLocation &l, uint32_t pcDigit, uint64_t upper) const;
  /// The inverse of placeHashed: the digits above the pseudo-channel,
  /// `pcDigit` set to the pseudo-channel digit.
  uint64_t hashedUpper(const DramLocation &l, uint32_t &pcDigit) const;

  bool interleaved_, hashed_;
  uint32_t pcBits_ = 0, bankBits_ = 0, chunkBits_ = 0;
  uint32_t pcs_, channels_, stacks_, groups_, banks_, rows_;
  uint32_t rowBytes_, chunksPerRow_;
  uint32_t totalPcs_, banksPerPc_;
  uint64_t chunkBytes_, superBlockBytes_, capacity_;
};

} // namespace strata::sim::mem
