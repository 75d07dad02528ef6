import { describe, expectTypeOf, it } from 'vitest';
import type * as contract from '../../electron/contract.js';
import type { PostureDiffDetail } from '../../db/diff-detail.js';
import type { DiffRow } from '../../db/diff.js';
import type { PostureHistory, TrendPoint } from '../../db/history.js';
import type { ReportRevision, Signoff } from '../../db/reports.js';
import type { PostureDetail } from '../../db/search/detail.js';
import type { SearchRow } from '../../db/search/search.js';
import type { SnapshotInfo } from '../../db/snapshots.js';
import type { VerifyResult } from '../../electron/report/verify.js';

// The contract re-declares these result types because the sandboxed renderer's type
// check must not reach the Node modules behind db/. The checks below run in `tsc` and
// fail as soon as a core type and its copy drift apart.
describe('contract result types', () => {
  it('match the core types they mirror', () => {
    expectTypeOf<contract.SnapshotInfo>().toEqualTypeOf<SnapshotInfo>();
    expectTypeOf<contract.DiffRow>().toEqualTypeOf<DiffRow>();
    expectTypeOf<contract.SearchRow>().toEqualTypeOf<SearchRow>();
    expectTypeOf<contract.PostureDetailInfo>().toEqualTypeOf<PostureDetail>();
    expectTypeOf<contract.SignoffInfo>().toEqualTypeOf<Signoff>();
    expectTypeOf<contract.ReportInfo>().toEqualTypeOf<ReportRevision>();
    expectTypeOf<contract.VerifyInfo>().toEqualTypeOf<VerifyResult>();
    expectTypeOf<contract.TrendPoint>().toEqualTypeOf<TrendPoint>();
  });

  it('cover what the page reads of detail and history', () => {
    // These copies leave out internal fields (state ids), so the core type must only fit them.
    expectTypeOf<PostureDiffDetail>().toExtend<contract.PostureDiffDetail>();
    expectTypeOf<PostureHistory>().toExtend<contract.PostureHistoryInfo>();
  });
});
