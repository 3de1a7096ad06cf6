/**
 * The valid policy tree of RFC 5280 §6.1, kept as the policy graph of RFC 9618: the
 * same outcome for every path, but a node per policy and depth, so certificates that
 * list and map many policies cannot make it grow exponentially.
 */
import { OID } from '../../asn1/index.ts';

const ANY = OID.anyPolicy;

interface PolicyNode {
  policy: string;
  /** Policies the next certificate may assert to extend this node (after mappings). */
  expected: string[];
  parents: PolicyNode[];
}

export class PolicyGraph {
  /** levels[0] is the anyPolicy root; levels[i] the nodes of certificate i. Empty when the graph is NULL. */
  private levels: PolicyNode[][] = [[{ policy: ANY, expected: [ANY], parents: [] }]];

  get isNull(): boolean {
    return this.levels.length === 0;
  }

  makeNull(): void {
    this.levels = [];
  }

  /** §6.1.3 (d): the policies certificate i asserts; `anyPolicyAllowed` is (d)(2)'s condition. */
  addCertificate(policies: readonly string[], anyPolicyAllowed: boolean): void {
    if (this.isNull) return;
    const previous = this.levels[this.levels.length - 1]!;
    const previousAny = previous.find((n) => n.policy === ANY);
    const level: PolicyNode[] = [];
    const has = (policy: string) => level.some((n) => n.policy === policy);
    for (const policy of policies) {
      if (policy === ANY || has(policy)) continue;
      const parents = previous.filter((n) => n.expected.includes(policy));
      if (parents.length > 0) level.push({ policy, expected: [policy], parents });
      else if (previousAny) level.push({ policy, expected: [policy], parents: [previousAny] });
    }
    if (anyPolicyAllowed && policies.includes(ANY)) {
      for (const node of previous) {
        for (const policy of node.expected) {
          if (has(policy)) continue;
          level.push({ policy, expected: [policy], parents: previous.filter((n) => n.expected.includes(policy)) });
        }
      }
    }
    this.levels.push(level);
    this.prune();
  }

  /** §6.1.4 (b): certificate i's policyMappings, applied (policy_mapping > 0) or deleting the mapped nodes. */
  applyMappings(mappings: ReadonlyMap<string, readonly string[]>, allowed: boolean): void {
    if (this.isNull) return;
    const level = this.levels[this.levels.length - 1]!;
    if (!allowed) {
      this.levels[this.levels.length - 1] = level.filter((n) => !mappings.has(n.policy));
      this.prune();
      return;
    }
    const any = level.find((n) => n.policy === ANY);
    for (const [issuerPolicy, subjectPolicies] of mappings) {
      const nodes = level.filter((n) => n.policy === issuerPolicy);
      for (const node of nodes) node.expected = [...subjectPolicies];
      if (nodes.length === 0 && any) level.push({ policy: issuerPolicy, expected: [...subjectPolicies], parents: any.parents });
    }
  }

  /** §6.1.5 (g): intersection with the user-initial-policy-set (anyPolicy or absent: no change). */
  intersect(userPolicies: readonly string[] | undefined): void {
    if (this.isNull || userPolicies === undefined || userPolicies.includes(ANY)) return;
    const user = new Set(userPolicies);
    // (g)(iii)(1-2): a policy that leaves anyPolicy must be one the user accepts.
    const removed = new Set<PolicyNode>();
    for (const level of this.levels.slice(1)) {
      for (const node of level) {
        const fromAny = node.parents.every((p) => p.policy === ANY);
        if ((fromAny && node.policy !== ANY && !user.has(node.policy)) || (node.parents.length > 0 && node.parents.every((p) => removed.has(p)))) {
          removed.add(node);
        }
      }
    }
    for (let i = 1; i < this.levels.length; i++) this.levels[i] = this.levels[i]!.filter((n) => !removed.has(n));
    for (const level of this.levels) for (const node of level) node.parents = node.parents.filter((p) => !removed.has(p));
    // (g)(iii)(3): a leaf-level anyPolicy stands for each user policy not already reached from anyPolicy.
    const last = this.levels[this.levels.length - 1]!;
    const leafAny = last.find((n) => n.policy === ANY);
    if (leafAny) {
      const reached = new Set(this.nodesLeavingAny().map((n) => n.policy));
      for (const policy of user) {
        if (!reached.has(policy)) last.push({ policy, expected: [policy], parents: leafAny.parents });
      }
      last.splice(last.indexOf(leafAny), 1);
    }
    this.prune();
  }

  /** Policies valid for the path in the user's (trust anchor's) domain: those that leave anyPolicy; anyPolicy itself when unconstrained. */
  userPolicies(): string[] {
    if (this.isNull) return [];
    const last = this.levels[this.levels.length - 1]!;
    const out = new Set(this.nodesLeavingAny().map((n) => n.policy));
    if (last.some((n) => n.policy === ANY)) out.add(ANY);
    return [...out];
  }

  /** The policies of the last certificate's level (the end entity's own OIDs once every certificate is added). */
  leafPolicies(): string[] {
    if (this.isNull) return [];
    return [...new Set(this.levels[this.levels.length - 1]!.map((n) => n.policy))];
  }

  private nodesLeavingAny(): PolicyNode[] {
    const out: PolicyNode[] = [];
    for (let depth = 1; depth < this.levels.length; depth++) {
      for (const node of this.levels[depth]!) if (node.policy !== ANY && node.parents.every((p) => p.policy === ANY)) out.push(node);
    }
    return out;
  }

  /** Drops nodes above the last level that no longer have children; the graph becomes NULL when the root goes. */
  private prune(): void {
    for (let depth = this.levels.length - 2; depth >= 0; depth--) {
      const children = this.levels[depth + 1]!;
      const kept = this.levels[depth]!.filter((n) => children.some((c) => c.parents.includes(n)));
      this.levels[depth] = kept;
      if (kept.length === 0) {
        this.levels = [];
        return;
      }
      const keptSet = new Set(kept);
      for (const child of children) child.parents = child.parents.filter((p) => keptSet.has(p));
    }
    if (this.levels[this.levels.length - 1]!.length === 0) this.levels = [];
  }
}
