// Exercise 07: SGD with momentum and RMSProp. The formulas are in ex07_optimizers.hpp and in
// docs/coursework.md ("Exercise 07"); run its tests with `ctest --test-dir build -L ex07`.
// A parameter's gradient is params_[k].grad(), its value to update params_[k].mutable_value().
#include "coursework/ex07_optimizers.hpp"

#include "coursework/not_done.hpp"

namespace gradflow::coursework {

// Allocate one zero velocity per parameter (velocity_), sized like the parameter's value.
SgdMomentum::SgdMomentum(std::vector<autodiff::Var> parameters, const MomentumOptions& options)
    : params_(std::move(parameters)), opt_(options) {}

// v <- momentum v + g;  w <- w - lr v
void SgdMomentum::step() { throw NotDone(7); }

// Allocate one zero mean square per parameter (mean_square_), sized like the parameter's value.
RmsProp::RmsProp(std::vector<autodiff::Var> parameters, const RmsPropOptions& options)
    : params_(std::move(parameters)), opt_(options) {}

// s <- rho s + (1 - rho) g^2;  w <- w - lr g / (sqrt(s) + eps)
void RmsProp::step() { throw NotDone(7); }

}  // namespace gradflow::coursework
