//===- AddressMapper.cpp - HBM address mapping -----------------------------===//

#include "strata/sim/mem/AddressMapper.h"

#include <string>

namespace strata::sim::mem {

namespace {
Status fieldError(const std::string &field, const std::string &what) {
  return Error("arch config: hbm." + field + " " + what);
}
bool isPowerOfTwo(uint64_t v) { return v && !(v & (v - 1)); }
uint32_t log2Exact(uint64_t v) {
  uint32_t bits = 0;
  while ((uint64_t(1) << bits) < v)
    ++bits;
  return bits;
}
} // namespace

Status validateHbmConfig(const HbmConfig &h) {
  struct Positive {
    const char *name;
    uint64_t value;
  } positives[] = {
      {"stacks", h.stacks},
      {"channelsPerStack", h.channelsPerStack},
      {"pseudoChannels", h.pseudoChannels},
      {"bankGroups", h.bankGroups},
      {"banksPerGroup", h.banksPerGroup},
      {"rowBytes", h.rowBytes},
      {"busBitsPerPseudoChannel", h.busBitsPerPseudoChannel},
      {"burstLength", h.burstLength},
      {"interleaveBytes", h.interleaveBytes},
      {"queueDepth", h.queueDepth},
      {"capacityBytesPerStack", h.capacityBytesPerStack},
      {"timing.tREFI", h.timing.tREFI},
      {"timing.tACT", h.timing.tACT},
      {"timing.tCCD_S", h.timing.tCCD_S},
      {"timing.tCCD_L", h.timing.tCCD_L},
  };
  for (const Positive &p : positives)
    if (p.value == 0)
      return fieldError(p.name, "must be positive");
  if (!(h.clockMHz > 0))
    return fieldError("clockMHz", "must be positive");
  if (!(h.tsvBytesPerCycle > 0))
    return fieldError("tsvBytesPerCycle", "must be positive");
  if (h.busBitsPerPseudoChannel % 8)
    return fieldError("busBitsPerPseudoChannel", "must be a multiple of 8");
  if (h.burstLength % 2)
    return fieldError("burstLength", "must be even (two beats per clock)");
  uint64_t burstBytes = uint64_t(h.busBitsPerPseudoChannel / 8) * h.burstLength;
  if (h.rowBytes % burstBytes)
    return fieldError("rowBytes", "(" + std::to_string(h.rowBytes) +
                                      ") must be a multiple of the burst size (" +
                                      std::to_string(burstBytes) + " bytes)");
  if (h.addressMapping == "interleaved" || h.addressMapping == "hashed") {
    if (h.interleaveBytes % burstBytes || h.rowBytes % h.interleaveBytes)
      return fieldError("interleaveBytes",
                        "(" + std::to_string(h.interleaveBytes) +
                            ") must be a multiple of the burst size (" +
                            std::to_string(burstBytes) + ") and divide rowBytes (" +
                            std::to_string(h.rowBytes) + ")");
    if (h.addressMapping == "hashed") {
      // XOR is a permutation of the pseudo-channel and bank indices only
      // when their counts are powers of two.
      uint64_t pcs = uint64_t(h.stacks) * h.channelsPerStack * h.pseudoChannels;
      uint64_t banks = uint64_t(h.bankGroups) * h.banksPerGroup;
      if (!isPowerOfTwo(pcs) || !isPowerOfTwo(banks))
        return fieldError("addressMapping",
                          "is \"hashed\", which needs power-of-two counts of pseudo-channels "
                          "over all stacks (" +
                              std::to_string(pcs) + ") and of banks per pseudo-channel (" +
                              std::to_string(banks) + ")");
    }
  } else if (h.addressMapping != "row-major") {
    return fieldError("addressMapping",
                      "is \"" + h.addressMapping +
                          "\"; expected \"interleaved\", \"row-major\" or \"hashed\"");
  }
  if (h.scheduler != "frfcfs" && h.scheduler != "fcfs")
    return fieldError("scheduler",
                      "is \"" + h.scheduler + "\"; expected \"frfcfs\" or \"fcfs\"");
  if (h.model != "detailed" && h.model != "analytic")
    return fieldError("model", "is \"" + h.model + "\"; expected \"detailed\" or \"analytic\"");
  uint64_t perRowAllBanks = uint64_t(h.channelsPerStack) * h.pseudoChannels * h.bankGroups *
                            h.banksPerGroup * h.rowBytes;
  if (h.capacityBytesPerStack % perRowAllBanks)
    return fieldError("capacityBytesPerStack",
                      "(" + std::to_string(h.capacityBytesPerStack) +
                          ") must be a multiple of channels x pseudo-channels x banks x "
                          "rowBytes (" +
                          std::to_string(perRowAllBanks) + ")");
  if (h.capacityBytesPerStack / perRowAllBanks > (uint64_t(1) << 32))
    return fieldError("capacityBytesPerStack", "implies more than 2^32 rows per bank");
  if (h.timing.tREFI <= h.timing.tRFC)
    return fieldError("timing.tREFI", "must exceed timing.tRFC");
  if (h.refresh != "per-bank" && h.refresh != "all-bank")
    return fieldError("refresh",
                      "is \"" + h.refresh + "\"; expected \"per-bank\" or \"all-bank\"");
  if (h.perBankRefresh()) {
    uint64_t interval = h.timing.tREFI / h.banksPerPseudoChannel();
    if (interval <= h.timing.tRFCsb || interval <= h.timing.tRREFD)
      return fieldError("timing.tRFCsb",
                        "and timing.tRREFD must be shorter than the per-bank refresh interval "
                        "timing.tREFI / banks (" +
                            std::to_string(interval) + " cycles)");
  }
  return Status::ok();
}

AddressMapper::AddressMapper(const HbmConfig &h)
    : interleaved_(h.addressMapping != "row-major"), hashed_(h.addressMapping == "hashed"),
      pcs_(h.pseudoChannels),
      channels_(h.channelsPerStack), stacks_(h.stacks), groups_(h.bankGroups),
      banks_(h.banksPerGroup), rowBytes_(h.rowBytes) {
  chunkBytes_ = interleaved_ ? h.interleaveBytes : h.rowBytes;
  chunksPerRow_ = uint32_t(rowBytes_ / chunkBytes_);
  totalPcs_ = pcs_ * channels_ * stacks_;
  banksPerPc_ = groups_ * banks_;
  capacity_ = h.capacityBytesPerStack * h.stacks;
  superBlockBytes_ = uint64_t(rowBytes_) * banksPerPc_ * totalPcs_;
  rows_ = uint32_t(capacity_ / superBlockBytes_);
  if (hashed_) {
    pcBits_ = log2Exact(totalPcs_);
    bankBits_ = log2Exact(banksPerPc_);
    chunkBits_ = log2Exact(chunksPerRow_);
  }
}

uint32_t AddressMapper::fold(uint64_t value, uint32_t bits) {
  if (bits == 0)
    return 0;
  uint64_t mask = (uint64_t(1) << bits) - 1, folded = 0;
  for (; value; value >>= bits)
    folded ^= value & mask;
  return uint32_t(folded);
}

uint32_t AddressMapper::pcHash(uint32_t bankDigit, uint64_t row) const {
  // The bank digit is what a power-of-two stride of a stripe or more walks
  // first. Its copy at the bottom of the pseudo-channel index keeps a tile
  // row's consecutive chunks (one pseudo-channel digit apart) on different
  // bank groups of any one pseudo-channel, so they alternate at tCCD_S; its
  // copy at the top (stack, channel) sends a few consecutive rows of such a
  // tile to every stack. The chunk in row stays out: the chunks of one row
  // of a bank keep one pseudo-channel, as interleaved, so their row hits
  // stay.
  uint32_t bank = pcBits_ > bankBits_    ? bankDigit ^ bankDigit << (pcBits_ - bankBits_)
                  : pcBits_ == bankBits_ ? bankDigit
                                         : fold(bankDigit, pcBits_);
  return (bank ^ fold(row, pcBits_)) & (totalPcs_ - 1);
}

void AddressMapper::placeHashed(DramLocation &l, uint32_t pcDigit, uint64_t upper) const {
  // upper = the digits above the pseudo-channel: bank | chunk in row | row.
  uint32_t bankDigit = uint32_t(upper & (banksPerPc_ - 1));
  uint32_t chunk = uint32_t((upper >> bankBits_) & (chunksPerRow_ - 1));
  uint64_t row = upper >> (bankBits_ + chunkBits_);
  uint32_t pc = pcDigit ^ pcHash(bankDigit, row);
  uint32_t bank = bankDigit ^ fold(row, bankBits_);
  l.pseudoChannel = pc % pcs_;
  l.channel = (pc / pcs_) % channels_;
  l.stack = pc / (pcs_ * channels_);
  l.bankGroup = bank % groups_;
  l.bank = bank / groups_;
  l.row = uint32_t(row);
  l.column = uint32_t(chunk * chunkBytes_);
  l.globalChannel = l.stack * channels_ + l.channel;
  l.globalPc = pc;
  l.pcBank = l.bankGroup * banks_ + l.bank;
}

uint64_t AddressMapper::hashedUpper(const DramLocation &l, uint32_t &pcDigit) const {
  uint64_t row = l.row;
  uint32_t bank = (l.bank * groups_ + l.bankGroup) ^ fold(row, bankBits_);
  uint64_t upper = ((row << chunkBits_ | l.column / chunkBytes_) << bankBits_) | bank;
  uint32_t pc = (l.stack * channels_ + l.channel) * pcs_ + l.pseudoChannel;
  pcDigit = pc ^ pcHash(bank, row);
  return upper;
}

DramLocation AddressMapper::decode(uint64_t a) const {
  DramLocation l;
  uint64_t offset = a % chunkBytes_;
  a /= chunkBytes_;
  if (hashed_) {
    placeHashed(l, uint32_t(a & (totalPcs_ - 1)), a >> pcBits_);
    l.column += uint32_t(offset);
    return l;
  }
  l.pseudoChannel = uint32_t(a % pcs_);
  a /= pcs_;
  l.channel = uint32_t(a % channels_);
  a /= channels_;
  l.stack = uint32_t(a % stacks_);
  a /= stacks_;
  l.bankGroup = uint32_t(a % groups_);
  a /= groups_;
  l.bank = uint32_t(a % banks_);
  a /= banks_;
  uint32_t chunk = 0;
  if (interleaved_) {
    chunk = uint32_t(a % chunksPerRow_);
    a /= chunksPerRow_;
  }
  l.row = uint32_t(a);
  l.column = uint32_t(chunk * chunkBytes_ + offset);
  l.globalChannel = l.stack * channels_ + l.channel;
  l.globalPc = l.globalChannel * pcs_ + l.pseudoChannel;
  l.pcBank = l.bankGroup * banks_ + l.bank;
  return l;
}

void AddressMapper::advanceChunkCarrying(DramLocation &l) const {
  if (hashed_) {
    // Undo the hash, step the address digits, hash again. Within a stripe
    // only the pseudo-channel digit moves and the hash stays.
    uint64_t row = l.row;
    uint32_t bankDigit = (l.bank * groups_ + l.bankGroup) ^ fold(row, bankBits_);
    uint32_t hash = pcHash(bankDigit, row);
    uint32_t pcDigit = ((l.stack * channels_ + l.channel) * pcs_ + l.pseudoChannel) ^ hash;
    if (pcDigit + 1 < totalPcs_) {
      uint32_t pc = (pcDigit + 1) ^ hash;
      l.pseudoChannel = pc % pcs_;
      l.channel = (pc / pcs_) % channels_;
      l.stack = pc / (pcs_ * channels_);
      l.globalChannel = l.stack * channels_ + l.channel;
      l.globalPc = pc;
      l.column -= l.column % uint32_t(chunkBytes_);
      return;
    }
    uint64_t upper = hashedUpper(l, pcDigit);
    placeHashed(l, 0, upper + 1);
    return;
  }
  // The digits of decode, least significant first; a carry moves on.
  uint32_t chunk = interleaved_ ? l.column / chunkBytes_ : 0;
  if (++l.pseudoChannel == pcs_) {
    l.pseudoChannel = 0;
    if (++l.channel == channels_) {
      l.channel = 0;
      if (++l.stack == stacks_) {
        l.stack = 0;
        if (++l.bankGroup == groups_) {
          l.bankGroup = 0;
          if (++l.bank == banks_) {
            l.bank = 0;
            if (!interleaved_ || ++chunk == chunksPerRow_) {
              chunk = 0;
              ++l.row;
            }
          }
        }
      }
    }
  }
  l.column = chunk * chunkBytes_;
  l.globalChannel = l.stack * channels_ + l.channel;
  l.globalPc = l.globalChannel * pcs_ + l.pseudoChannel;
  l.pcBank = l.bankGroup * banks_ + l.bank;
}

uint64_t AddressMapper::encode(const DramLocation &l) const {
  if (hashed_) {
    uint32_t pcDigit = 0;
    uint64_t upper = hashedUpper(l, pcDigit);
    return ((upper << pcBits_) | pcDigit) * chunkBytes_ + l.column % chunkBytes_;
  }
  uint64_t a = l.row;
  if (interleaved_)
    a = a * chunksPerRow_ + l.column / chunkBytes_;
  a = a * banks_ + l.bank;
  a = a * groups_ + l.bankGroup;
  a = a * stacks_ + l.stack;
  a = a * channels_ + l.channel;
  a = a * pcs_ + l.pseudoChannel;
  return a * chunkBytes_ + l.column % chunkBytes_;
}

} // namespace strata::sim::mem
