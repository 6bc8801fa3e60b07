//===- GraphDialect.td - Transformer-level graph dialect ----*- tablegen -*-===//
#ifndef STRATA_DIALECT_GRAPH_IR_GRAPHDIALECT_TD
#define STRATA_DIALECT_GRAPH_IR_GRAPHDIALECT_TD

include "mlir/IR/OpBase.td"

def Graph_Dialect : Dialect {
  let name = "graph";
  let cppNamespace = "::strata::graph";
  let summary = "Transformer-level operations on tensors";
  let description = [{
    The `graph` dialect is the compiler's entry level: one op per transformer
    building block (embedding, norms, linear layers, rotary embeddings,
    attention with a KV cache, activations) on ranked tensors, as a model
    family's graph builder emits them.

    Weights are module-level symbols (`graph.weight`) that name an entry of the
    weight store; functions read them with `graph.weight_ref`. The IR never
    holds weight data as dense attributes, so a 7B-parameter model compiles
    without weights (timing-only) and a real model's weights are not copied
    into the IR.

    Activations are row-major `[tokens, features]` tensors. Entry points are
    `func.func` ops marked `graph.entry`; scalar arguments of type `index`
    carry runtime values such as the KV-cache position.
  }];
  let useDefaultAttributePrinterParser = 1;
  let dependentDialects = ["::mlir::func::FuncDialect"];
  let extraClassDeclaration = [{
    /// The weight store passes read and write; created on first use.
    WeightStore &getWeightStore();
    /// Replaces the store, e.g. with one whose files a loader already mapped.
    void setWeightStore(std::shared_ptr<WeightStore> store);
  private:
    std::shared_ptr<WeightStore> weightStore;
  public:
  }];
}

class Graph_Op<string mnemonic, list<Trait> traits = []>
    : Op<Graph_Dialect, mnemonic, traits>;

#endif // STRATA_DIALECT_GRAPH_IR_GRAPHDIALECT_TD
