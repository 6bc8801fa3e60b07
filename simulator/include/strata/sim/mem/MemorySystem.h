//===- MemorySystem.h - HBM stacks and the NoC as one SystemC module -*- C++ -*-===//
//
// The memory side of the chip: the on-chip network from the NPU cores to the
// HBM stacks, and per stack its channels, pseudo-channels, bank groups and
// banks behind FR-FCFS controllers with JEDEC-style timing (docs/simulator-
// memory.md). This module times memory traffic; it never moves bytes. The
// DMA engine moves the bytes itself on HbmStorage (functional), and asks this
// module *when* the transfer completes.
//
// ---------------------------------------------------------------------------
// Protocol for initiators (the DMA engines), TLM-2.0 AT base protocol
// ---------------------------------------------------------------------------
// Binding: core c binds one initiator socket (BUSWIDTH 32, the default of
// tlm_utils::simple_initiator_socket) to `socket(c)`. Several DMA engines of a
// core share that socket (multiplex them in the core, e.g. one initiator per
// core, or give each engine its own tag in the payload; the memory system does
// not care which engine sent a request).
//
// Requests: a tlm_generic_payload with
//   - command  TLM_READ_COMMAND (HBM -> core) or TLM_WRITE_COMMAND (core -> HBM)
//   - address  HBM byte address; data_length 1 .. dma.requestBytes
//   - data_ptr anything (even a dummy): it is never read or written. The DMA
//              engine copies the bytes functionally on HbmStorage itself.
//   - byte enables must be null; streaming width must be data_length (or 0).
//   A request may cross an interleave or row boundary; it is split inside.
//
// Phases (the base-protocol rules apply: one request and one response in
// flight per socket at a time):
//   fw BEGIN_REQ  -> returns TLM_UPDATED with phase END_REQ when the target
//                    pseudo-channel has a free queue slot and delay == 0
//                    (accepted at once), otherwise TLM_ACCEPTED: END_REQ then
//                    comes later via nb_transport_bw, when a queue slot frees
//                    (backpressure: the initiator must not send the next
//                    BEGIN_REQ before it).
//   bw BEGIN_RESP <- when read data has reached the core, or a write has been
//                    written into the array. Responses can come out of
//                    order (different pseudo-channels). The initiator returns
//                    TLM_COMPLETED (preferred: no END_RESP needed) or
//                    TLM_ACCEPTED and later sends fw END_RESP; the next
//                    BEGIN_RESP on that socket waits for it.
//   Response status is TLM_OK_RESPONSE; TLM_ADDRESS_ERROR_RESPONSE when the
//   range lies outside HBM, TLM_BURST_ERROR_RESPONSE when the length is 0 or
//   exceeds dma.requestBytes, TLM_BYTE_ENABLE_ERROR_RESPONSE with byte enables
//   (such requests are answered without touching the model; the DMA engine
//   should have faulted on the HbmStorage bounds check already).
//
// Costs: a request is a handful of kernel events (one payload-event-queue
// entry for the response, the controller's wake-ups amortised over requests).
//
// Analytic mode (hbm.model == "analytic") and huge transfers: instead of
// issuing requests, the DMA engine calls bulkTransfer() with the whole 3D
// descriptor and waits for the returned delay. The pattern is timed in closed
// form per pseudo-channel (docs/simulator-memory.md) with per-pseudo-channel
// and per-link busy-until contention. bulkTransfer() works in detailed mode
// too (it then uses the same closed form); mixing both on one pseudo-channel
// only approximates their mutual contention.
//
// Peer copies (SRAM of core a -> SRAM of core b over the NoC): peerTransfer().
//
// Both calls must be made from a SystemC process during simulation (they read
// sc_time_stamp()); they reserve resources from now on and return the delay
// until the transfer completes.
//===----------------------------------------------------------------------===//
#pragma once

#include "strata/sim/mem/BulkPattern.h"
#include "strata/sim/mem/MemoryListener.h"
#include "strata/target/ArchConfig.h"

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include <cstdint>
#include <memory>
#include <vector>

namespace strata::sim {
class StatGroup;
class TraceWriter;
} // namespace strata::sim

namespace strata::sim::mem {

class HbmStorage;

class MemorySystem : public sc_core::sc_module {
public:
  using TargetSocket = tlm_utils::simple_target_socket_tagged<MemorySystem>;

  /// `stats` receives the groups "hbm" and "noc". `trace`, when given and
  /// open, gets one track per HBM channel (busy slices) and must outlive the
  /// simulation. `storage` is the functional store the DMA engines use; the
  /// memory system only checks its capacity against the config.
  MemorySystem(sc_core::sc_module_name name, const ArchConfig &config,
               HbmStorage &storage, StatGroup &stats, TraceWriter *trace = nullptr);
  ~MemorySystem() override;

  /// The target socket of NPU core `core` (0 .. numCores-1).
  TargetSocket &socket(unsigned core);

  /// True when hbm.model is "analytic": DMA engines should use bulkTransfer.
  bool analytic() const;

  /// Times a whole strided transfer between core `core` and HBM in closed
  /// form; returns the delay from now until its last byte has arrived.
  /// `footprintHint`: the caller's per-instruction slot for the analytic
  /// model's footprint cache (AnalyticModel::transfer).
  sc_core::sc_time bulkTransfer(unsigned core, const BulkPattern &pattern, bool write,
                                uint32_t *footprintHint = nullptr);

  /// Times a copy of `bytes` from core `src`'s SRAM to core `dst`'s SRAM over
  /// the NoC; returns the delay from now until the last byte has arrived.
  sc_core::sc_time peerTransfer(unsigned src, unsigned dst, uint64_t bytes);

  /// Attaches a listener (not owned; may be null to detach). One at a time.
  void setListener(MemoryListener *listener);

  /// Changes the memory-domain clock from now on (DVFS). HBM timing, NoC and
  /// TSV rates are in cycles of this clock; the default is hbm.clockMHz.
  void setClockMHz(double mhz);
  double clockMHz() const;

  /// Requests accepted so far, and those not yet answered.
  uint64_t requestsAccepted() const;
  uint64_t requestsInFlight() const;

  /// Writes the final stats (averages, utilisation) up to the current time.
  /// Formulas read live counters, so this is optional before a JSON dump.
  void finalizeStats();

  struct State; ///< internals (MemorySystem.cpp)

private:
  /// Binds sockets no core bound (an idle core, analytic-only use) to a
  /// stub, so elaboration does not fail on them.
  void before_end_of_elaboration() override;
  tlm::tlm_sync_enum nbTransportFw(int id, tlm::tlm_generic_payload &trans,
                                   tlm::tlm_phase &phase, sc_core::sc_time &delay);
  void wakeChannel(unsigned channel);

  std::vector<std::unique_ptr<TargetSocket>> sockets_;
  struct Stub;
  std::vector<std::unique_ptr<Stub>> stubs_;
  std::unique_ptr<State> state_;
};

} // namespace strata::sim::mem
