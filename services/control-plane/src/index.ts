export { controlPlaneService, ControlPlaneModule } from './control-plane.module';
export { ControlPlaneConfig } from './config';
