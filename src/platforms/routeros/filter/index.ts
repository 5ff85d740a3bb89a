// Routing-filter evaluators: run one route through a RouterOS 7 or 6 filter chain.
export {
  describeVerdict,
  evaluateChain,
  FilterSyntaxError,
  parseRule,
  type Block,
  type ChainVerdict,
  type Comparison,
  type Condition,
  type RuleAst,
  type Statement,
  type V7FilterRule,
} from "./v7.js";
export { evaluateChainV6, renderV6Rule, type V6FilterRule } from "./v6.js";
export { compileAsPath } from "./prefix.js";
