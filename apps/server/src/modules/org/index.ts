/** The org module: its routes plugin, service and types are all other code may import. */
export { orgRoutes } from './routes.js'
export { createOrgService, type OrgService, type WriteOptions } from './service.js'
export type {
  Department,
  DepartmentChanges,
  DepartmentFilter,
  DepartmentKind,
  Division,
  DivisionDetail,
  DivisionLevel,
  GridCell,
  NamedDivision,
  NewDepartment,
  Paginated,
  Position,
} from './types.js'
export { departmentKinds, divisionLevels } from './types.js'
